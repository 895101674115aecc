import { expect, oneEvent } from '@open-wc/testing';
import { interviewFixture, maybePart, newSession, part, untilScreen, visibleText } from './helpers.ts';

describe('<ai-interview> errors', () => {
  it('explains an invalid link, without a retry that cannot help', async () => {
    const session = await newSession();
    const element = await interviewFixture({ ...session, token: 'not-a-session-token' }, { locale: 'en' });
    const { detail } = await oneEvent(element, 'interview-error');
    expect(detail.code).to.equal('session_invalid');
    expect(detail.retryable).to.equal(false);
    await untilScreen(element, 'error');
    expect(part(element, 'error').textContent).to.contain('This interview link is no longer valid.');
    expect(maybePart(element, 'retry-button'), visibleText(element)).to.equal(null);
    await expect(element).to.be.accessible();
  });

  it('refuses a secret API key without sending it anywhere', async () => {
    const session = await newSession();
    const requests: string[] = [];
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) requests.push(entry.name);
    });
    observer.observe({ type: 'resource' });
    const errors = console.error;
    console.error = () => {};
    try {
      const element = await interviewFixture(
        { ...session, token: 'sk_test_0123456789abcdef' },
        { locale: 'en' },
      );
      await untilScreen(element, 'error');
      expect(part(element, 'error').textContent).to.contain('no longer valid');
    } finally {
      console.error = errors;
      observer.disconnect();
    }
    expect(requests.filter((url) => url.startsWith(session.apiBase))).to.deep.equal([]);
  });

  it('explains a page its token does not allow', async () => {
    const session = await newSession({ allowedOrigins: ['https://careers.acme.example'] });
    const element = await interviewFixture(session, { locale: 'en' });
    const { detail } = await oneEvent(element, 'interview-error');
    expect(detail.code).to.equal('origin_not_allowed');
    await untilScreen(element, 'error');
    expect(part(element, 'error').textContent).to.contain('cannot be opened on this website');
    expect(maybePart(element, 'retry-button')).to.equal(null);
    if (detail.requestId) expect(part(element, 'error').textContent).to.contain(detail.requestId);
  });

  it("explains an interview that is already over, in the candidate's language", async () => {
    const session = await newSession();
    const first = await interviewFixture(session, { locale: 'en' });
    await untilScreen(first, 'pre-check');
    part<HTMLInputElement>(first, 'consent-checkbox').click();
    await first.start();
    await untilScreen(first, 'live');
    await first.end();
    await untilScreen(first, 'completed');

    const again = await interviewFixture(session, { locale: 'es' });
    await untilScreen(again, 'error');
    // Spanish is a chunk of its own: the error can come first, in English, until it has loaded.
    await again.localeReady;
    await again.updateComplete;
    expect(part(again, 'error').textContent).to.contain('Este enlace de entrevista ya no es válido.');
    expect(maybePart(again, 'retry-button')).to.equal(null);
    await expect(again).to.be.accessible();
  });
});

import { expect, oneEvent } from '@open-wc/testing';
import type AiInterview from '../../src/element/ai-interview.component.ts';
import type { SessionFixture } from '../support/protocol.ts';
import {
  interviewFixture,
  lastState,
  longAnswer,
  maybePart,
  newSession,
  part,
  proxy,
  typeAnswer,
  until,
  untilCandidateTurn,
  untilScreen,
  visibleText,
} from './helpers.ts';

/** A typed interview through the test proxy, at the candidate's first turn. */
async function liveThroughProxy(): Promise<{ session: SessionFixture; element: AiInterview }> {
  const session = await newSession({ proxy: true });
  const element = await interviewFixture(session, { locale: 'en' });
  await untilScreen(element, 'pre-check');
  part<HTMLInputElement>(element, 'consent-checkbox').click();
  part(element, 'start-button').click();
  await untilScreen(element, 'live');
  await untilCandidateTurn(element);
  return { session, element };
}

/** The platform's word that the model failed mid-turn: the interview stops until Try again. */
function interviewerFails(session: SessionFixture): Promise<unknown> {
  return proxy(session, {
    action: 'inject-event',
    event: 'error',
    data: { code: 'interviewer_unavailable', message: 'The interviewer could not reply.' },
  });
}

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
    const logged: unknown[][] = [];
    console.error = (...args: unknown[]) => logged.push(args);
    try {
      const element = await interviewFixture(
        { ...session, token: ' sk_test_0123456789abcdef ' },
        { locale: 'en' },
      );
      await untilScreen(element, 'error');
      expect(part(element, 'error').textContent).to.contain('no longer valid');
    } finally {
      console.error = errors;
      observer.disconnect();
    }
    expect(requests.filter((url) => url.startsWith(session.apiBase))).to.deep.equal([]);
    // Word for word what InterviewClient logs (test/client/load.test.ts), as docs/embedding.md quotes it.
    expect(logged).to.deep.equal([
      [
        '[viva] A secret API key was given instead of a session token, and nothing was sent. Mint a session token on your server (POST /v1/interviews/{id}/sessions) and give that instead.',
      ],
    ]);
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

  it('after the interviewer failed mid-turn, Try again goes on, and the half-said line leaves the captions', async function () {
    this.timeout(60_000);
    const { session, element } = await liveThroughProxy();
    // The model's first words went out, and no `interviewer.done` follows; the platform says it failed.
    await proxy(session, {
      action: 'inject-event',
      event: 'interviewer.delta',
      data: { turn_id: 'turn_unfinished', text: 'Thanks. Now tell me' },
    });
    await until(
      () => part(element, 'captions').textContent?.includes('Now tell me') ?? false,
      'the half-said line',
      element,
    );
    expect(part(element, 'captions').getAttribute('aria-busy')).to.equal('true');
    await interviewerFails(session);
    await untilScreen(element, 'error');
    expect(part(element, 'error').textContent).to.contain('The interviewer could not reply just now.');
    await expect(element).to.be.accessible();

    part(element, 'retry-button').click();
    await untilScreen(element, 'live');
    await untilCandidateTurn(element);
    await typeAnswer(element, longAnswer);
    await until(
      () =>
        part(element, 'progress').textContent?.trim() === 'Question 2 of 2' &&
        lastState(element)?.turn === 'candidate',
      "the next question, the candidate's turn",
      element,
    );
    const captions = part(element, 'captions');
    expect(captions.textContent, 'the half-said line is gone').not.to.contain('Now tell me');
    expect(captions.getAttribute('aria-busy'), 'no line still being written').to.equal('false');
  });

  it('a Try again that fails again shows the new error, and throws nothing at the host page', async function () {
    this.timeout(60_000);
    const { session, element } = await liveThroughProxy();
    await interviewerFails(session);
    await untilScreen(element, 'error');
    // The stream's reopening is refused for good this time (a few times over: were the browser to lose the
    // first refusal on the way, it would try again, and must meet the same).
    await proxy(session, {
      action: 'fail-next',
      method: 'GET',
      path: '/v1/session/events',
      status: 403,
      count: 3,
    });
    const rejections: unknown[] = [];
    const onRejection = (event: PromiseRejectionEvent) => {
      rejections.push(event.reason);
      event.preventDefault();
    };
    window.addEventListener('unhandledrejection', onRejection);
    try {
      const failed = oneEvent(element, 'interview-error');
      part(element, 'retry-button').click();
      expect((await failed).detail).to.include({ code: 'unknown', retryable: false });
      await untilScreen(element, 'error');
      expect(maybePart(element, 'retry-button'), 'nothing left to try').to.equal(null);
      // The browser tells of an unhandled rejection in a task of its own, after the one that rejected.
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      window.removeEventListener('unhandledrejection', onRejection);
    }
    expect(rejections.map(String)).to.deep.equal([]);
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

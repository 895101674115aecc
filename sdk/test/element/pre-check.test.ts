import { expect, oneEvent } from '@open-wc/testing';
import {
  focusedPart,
  interviewFixture,
  maybePart,
  newSession,
  part,
  screen,
  until,
  untilScreen,
  visibleText,
} from './helpers.ts';

describe('<ai-interview> pre-check', () => {
  it('shows the loading screen, then the session: job, company, questions, time and the notice', async () => {
    const session = await newSession();
    const element = await interviewFixture(session, { locale: 'en' });
    const ready = oneEvent(element, 'interview-ready');
    expect(screen(element)).to.equal('loading');
    await expect(element).to.be.accessible();

    const { detail } = await ready;
    expect(detail.interview_id).to.equal(session.interviewId);
    await untilScreen(element, 'pre-check');
    const text = visibleText(element);
    expect(text).to.contain('Frontend Engineer');
    expect(text).to.contain('SDK tests');
    expect(text).to.contain('2 questions');
    expect(text).to.contain('30 minutes');
    expect(part(element, 'consent').textContent).to.contain(detail.consent_text);
    // A test-mode session takes typed answers only: no microphone check, nothing asked of the browser.
    expect(maybePart(element, 'microphone')).to.equal(null);
    expect(part(element, 'answer-mode').textContent).to.contain('answer by typing');
    await expect(element).to.be.accessible();
  });

  it('does not start until the candidate accepts the recording notice', async () => {
    const session = await newSession();
    const element = await interviewFixture(session, { locale: 'en' });
    await untilScreen(element, 'pre-check');
    let started = false;
    element.addEventListener('interview-started', () => {
      started = true;
    });

    part(element, 'start-button').click();
    await element.updateComplete;
    const checkbox = part<HTMLInputElement>(element, 'consent-checkbox');
    expect(screen(element)).to.equal('pre-check');
    expect(part(element, 'consent').textContent).to.contain('Please accept the recording notice to start.');
    expect(checkbox.getAttribute('aria-invalid')).to.equal('true');
    expect(focusedPart(element)).to.equal('consent-checkbox');
    await expect(element).to.be.accessible();
    let refused: unknown = null;
    await element.start().catch((error: unknown) => {
      refused = error;
    });
    expect(refused, 'start() before consent rejects').to.be.instanceOf(Error);

    checkbox.click();
    await element.updateComplete;
    expect(checkbox.getAttribute('aria-invalid')).to.equal('false');
    const startedEvent = oneEvent(element, 'interview-started');
    part(element, 'start-button').click();
    expect((await startedEvent).detail.interviewId).to.equal(session.interviewId);
    expect(started).to.equal(true);
    await untilScreen(element, 'live');
  });

  it('says to type, with no Try again, where the page cannot capture a voice at all (no HTTPS)', async () => {
    // What a plain-HTTP page gets: browsers expose no navigator.mediaDevices outside a secure context.
    const mediaDevices = Object.getOwnPropertyDescriptor(Navigator.prototype, 'mediaDevices')!;
    Object.defineProperty(Navigator.prototype, 'mediaDevices', { configurable: true, get: () => undefined });
    try {
      const session = await newSession({ live: true });
      const element = await interviewFixture(session, { locale: 'en' });
      await untilScreen(element, 'pre-check');
      await until(() => maybePart(element, 'microphone-help') !== null, 'the microphone help', element);
      expect(part(element, 'microphone-help').textContent).to.contain('you will answer by typing');
      expect(maybePart(element, 'microphone-retry-button'), visibleText(element)).to.equal(null);
      await expect(element).to.be.accessible();
    } finally {
      Object.defineProperty(Navigator.prototype, 'mediaDevices', mediaDevices);
    }
  });

  it('never needs a microphone with text-only', async () => {
    const session = await newSession();
    const element = await interviewFixture(session, { locale: 'en', 'text-only': true });
    await untilScreen(element, 'pre-check');
    expect(element.textOnly).to.equal(true);
    expect(maybePart(element, 'microphone')).to.equal(null);
    expect(maybePart(element, 'answer-mode-button')).to.equal(null);
  });
});

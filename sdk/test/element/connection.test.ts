import { expect, fixtureCleanup } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import type { ProxyAction } from '../support/protocol.ts';
import {
  interviewFixture,
  lastState,
  longAnswer,
  maybePart,
  newSession,
  part,
  type SessionFixture,
  serverTranscript,
  until,
  untilCandidateTurn,
  untilScreen,
} from './helpers.ts';

function proxy(session: SessionFixture, action: ProxyAction): Promise<unknown> {
  return executeServerCommand('viva-proxy', { proxyId: session.proxyId, ...action });
}

async function typeAnswer(element: HTMLElement & { updateComplete: Promise<boolean> }, text: string) {
  const input = element.shadowRoot!.querySelector<HTMLTextAreaElement>('[part~="answer-input"]')!;
  input.value = text;
  input.dispatchEvent(new Event('input'));
  await element.updateComplete;
  element.shadowRoot!.querySelector<HTMLButtonElement>('[part~="send-button"]')!.click();
}

describe('<ai-interview> connection', () => {
  afterEach(() => fixtureCleanup());

  it('says nothing is lost while it reconnects, and delivers an answer typed meanwhile', async function () {
    this.timeout(60_000);
    const session = await newSession({ proxy: true });
    const element = await interviewFixture(session, { locale: 'en' });
    await untilScreen(element, 'pre-check');
    part<HTMLInputElement>(element, 'consent-checkbox').click();
    part(element, 'start-button').click();
    await untilScreen(element, 'live');
    await untilCandidateTurn(element);

    await proxy(session, { action: 'down' });
    await until(() => maybePart(element, 'reconnecting') !== null, 'the reconnecting banner', element);
    const banner = part(element, 'reconnecting');
    expect(banner.textContent).to.contain('Connection lost. Reconnecting…');
    expect(banner.textContent).to.contain('Nothing you have said is lost.');
    expect(banner.parentElement?.getAttribute('role')).to.equal('status');
    expect(maybePart(element, 'captions'), 'the interview stays in view').not.to.equal(null);
    await expect(element).to.be.accessible();

    await typeAnswer(element, longAnswer);
    await until(() => (lastState(element)?.pendingAnswers ?? 0) > 0, 'the answer waiting', element);
    await proxy(session, { action: 'up' });
    await until(() => maybePart(element, 'reconnecting') === null, 'the banner gone', element, 30_000);
    await until(
      () => part(element, 'progress').textContent?.trim() === 'Question 2 of 2',
      'the next question',
      element,
      30_000,
    );
    expect(part(element, 'captions').textContent).to.contain(longAnswer);
    const transcript = await serverTranscript(session.interviewId);
    const answers = transcript.turns.filter((turn) => turn.speaker === 'candidate');
    expect(
      answers.map((turn) => turn.text),
      JSON.stringify(transcript),
    ).to.deep.equal([longAnswer]);
  });

  it('offers Try again when the platform cannot be reached, and recovers', async function () {
    this.timeout(60_000);
    const session = await newSession({ proxy: true });
    await proxy(session, { action: 'down' });
    const element = await interviewFixture(session, { locale: 'en' });
    const ready: { interview_id: string }[] = [];
    element.addEventListener('interview-ready', (event) => ready.push(event.detail));
    await untilScreen(element, 'error', 45_000);
    expect(part(element, 'error').textContent).to.contain('could not reach the interview service');
    await expect(element).to.be.accessible();

    await proxy(session, { action: 'up' });
    part(element, 'retry-button').click();
    await untilScreen(element, 'pre-check');
    // The host hears the session is ready once it is, after a retry as after a first load.
    expect(ready.map((detail) => detail.interview_id)).to.deep.equal([session.interviewId]);
  });

  it('resumes an interview in progress: no second consent, the captions so far', async () => {
    const session = await newSession();
    const first = await interviewFixture(session, { locale: 'en' });
    await untilScreen(first, 'pre-check');
    part<HTMLInputElement>(first, 'consent-checkbox').click();
    part(first, 'start-button').click();
    await untilScreen(first, 'live');
    await untilCandidateTurn(first);
    await typeAnswer(first, longAnswer);
    await until(() => part(first, 'progress').textContent?.trim() === 'Question 2 of 2', 'question 2', first);
    first.remove();

    // The candidate reloads the page: a new element, the same token.
    const second = await interviewFixture(session, { locale: 'en' });
    await untilScreen(second, 'pre-check');
    expect(maybePart(second, 'consent')).to.equal(null);
    expect(part(second, 'pre-check').textContent).to.contain('Your interview has already started.');
    expect(part(second, 'start-button').textContent?.trim()).to.equal('Continue the interview');
    await expect(second).to.be.accessible();
    part(second, 'start-button').click();
    await untilScreen(second, 'live');
    await until(
      () => part(second, 'captions').textContent?.includes(longAnswer) ?? false,
      'the earlier answer in the captions',
      second,
    );
    expect(part(second, 'progress').textContent?.trim()).to.equal('Question 2 of 2');
  });
});

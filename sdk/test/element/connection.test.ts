import { expect, fixtureCleanup } from '@open-wc/testing';
import type AiInterview from '../../src/element/ai-interview.component.ts';
import {
  interviewFixture,
  lastState,
  longAnswer,
  maybePart,
  newSession,
  part,
  proxy,
  screen,
  serverTranscript,
  typeAnswer,
  until,
  untilCandidateTurn,
  untilScreen,
} from './helpers.ts';

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

  it('lets a running interview go when its token is removed, or set to null or undefined', async function () {
    this.timeout(60_000);
    // The real microphone, with its tracks kept, to tell whether the old client let the device go.
    const tracks: MediaStreamTrack[] = [];
    const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = async (constraints) => {
      const stream = await getUserMedia(constraints);
      tracks.push(...stream.getAudioTracks());
      return stream;
    };
    const uncaught: unknown[] = [];
    const onError = (event: ErrorEvent) => uncaught.push(event.error);
    window.addEventListener('error', onError);
    try {
      const session = await newSession({ live: true });
      const element = await interviewFixture(session, { locale: 'en', 'session-token': session.token });
      await untilScreen(element, 'pre-check');
      await until(() => maybePart(element, 'level-meter') !== null, 'the level meter', element);
      part<HTMLInputElement>(element, 'consent-checkbox').click();
      part(element, 'start-button').click();
      await untilScreen(element, 'live');
      await until(() => lastState(element)?.listening === true, 'listening', element, 30_000);

      // As a page does when the candidate leaves the interview's step, or Vue and Angular do for null.
      element.removeAttribute('session-token');
      await element.updateComplete;
      await untilScreen(element, 'loading');
      expect(
        tracks.map((track) => track.readyState),
        'the old interview let the microphone go',
      ).to.not.include('live');

      element.sessionToken = session.token;
      await untilScreen(element, 'pre-check');
      for (const none of [null, undefined]) {
        element.sessionToken = none as unknown as string;
        await element.updateComplete;
        expect(screen(element)).to.equal('loading');
      }

      // A framework that binds `undefined` before the element is in the page.
      const unset = document.createElement('ai-interview') as AiInterview;
      unset.sessionToken = undefined as unknown as string;
      document.body.append(unset);
      await unset.updateComplete;
      expect(screen(unset)).to.equal('loading');
      unset.remove();
      expect(uncaught).to.deep.equal([]);
    } finally {
      window.removeEventListener('error', onError);
      navigator.mediaDevices.getUserMedia = getUserMedia;
    }
  });
});

import { expect } from '@open-wc/testing';
import { fakeTranscript } from '../support/protocol.ts';
import {
  interviewFixture,
  lastState,
  maybePart,
  newSession,
  part,
  until,
  untilScreen,
  visibleText,
} from './helpers.ts';

/**
 * Voice: a live-mode session takes spoken answers. Chromium's fake microphone (allowed without a prompt in
 * the default group) speaks test/fixtures/answer.wav in a loop; the platform's fake speech-to-text hears
 * `fakeTranscript`, and its fake text-to-speech gives the interviewer a (silent) voice.
 */
describe('<ai-interview> voice', () => {
  it('checks the microphone before the start: device picker and a moving level meter', async () => {
    const session = await newSession({ live: true });
    const element = await interviewFixture(session, { locale: 'en' });
    await untilScreen(element, 'pre-check');
    await until(() => maybePart(element, 'level-meter') !== null, 'the level meter', element);

    const meter = part(element, 'level-meter');
    expect(meter.getAttribute('role')).to.equal('meter');
    expect(meter.getAttribute('aria-label')).to.equal('Microphone level');
    expect(meter.getAttribute('aria-valuemin')).to.equal('0');
    expect(meter.getAttribute('aria-valuemax')).to.equal('100');
    await until(
      () => Number(part(element, 'level-meter').getAttribute('aria-valuenow')) > 10,
      'a level',
      element,
    );

    const select = part<HTMLSelectElement>(element, 'device-select');
    expect(select.options.length).to.be.greaterThan(0);
    expect(select.labels?.[0]?.textContent).to.equal('Microphone');
    await expect(element).to.be.accessible();

    // Choosing another device (here the same one again) keeps the check working.
    select.value = select.options[0]!.value;
    select.dispatchEvent(new Event('change'));
    await until(() => maybePart(element, 'level-meter') !== null, 'the level meter again', element);

    // Answering by text closes the microphone; answering by voice opens it again.
    part(element, 'answer-mode-button').click();
    await element.updateComplete;
    expect(maybePart(element, 'level-meter')).to.equal(null);
    expect(part(element, 'answer-mode').textContent).to.contain('answer by typing');
    part(element, 'answer-mode-button').click();
    await until(
      () => maybePart(element, 'level-meter') !== null,
      'the level meter after switching back',
      element,
    );
  });

  it('runs a voice interview: the visual follows who speaks, spoken answers are captioned, mute works', async function () {
    this.timeout(90_000);
    const session = await newSession({ live: true });
    const element = await interviewFixture(session, { locale: 'en', 'silence-ms': '700' });
    const speaking = new Set<string>();
    element.addEventListener('interview-state', (event) => speaking.add(event.detail.speaking ?? 'none'));
    await untilScreen(element, 'pre-check');
    await until(() => maybePart(element, 'level-meter') !== null, 'the level meter', element);
    part<HTMLInputElement>(element, 'consent-checkbox').click();
    part(element, 'start-button').click();
    await untilScreen(element, 'live');

    expect(maybePart(element, 'text-answer'), 'no text box while answering by voice').to.equal(null);
    const visual = part(element, 'interviewer-visual');
    await until(() => visual.dataset.speaking === 'interviewer', 'the interviewer speaking', element, 30_000);
    await until(
      () => part(element, 'captions').textContent?.includes(fakeTranscript) ?? false,
      'a spoken answer in the captions',
      element,
      45_000,
    );
    expect([...speaking]).to.include.members(['interviewer', 'candidate']);
    await expect(element).to.be.accessible();

    const mute = part(element, 'mute-button');
    expect(mute.getAttribute('aria-pressed')).to.equal('false');
    mute.click();
    await until(() => lastState(element)?.muted === true, 'muted', element);
    expect(part(element, 'mute-button').getAttribute('aria-pressed')).to.equal('true');
    expect(part(element, 'mute-button').textContent?.trim()).to.equal('Unmute microphone');
    element.mute(false);
    await until(() => lastState(element)?.muted === false, 'unmuted', element);

    // Typing instead: the microphone closes and the text box appears, focused.
    part(element, 'answer-mode-button').click();
    await until(() => maybePart(element, 'text-answer') !== null, 'the text box', element);
    expect(element.shadowRoot!.activeElement?.getAttribute('part')).to.equal('answer-input');
    expect(maybePart(element, 'mute-button')).to.equal(null);
    await until(() => lastState(element)?.listening === false, 'the microphone closed', element);
    expect(visibleText(element)).not.to.contain('Unmute');
  });

  it('offers Try again for a microphone lost during the interview, and listens again', async function () {
    this.timeout(60_000);
    // The real microphone, with its tracks kept where the test can end them as an unplugged device would.
    const tracks: MediaStreamTrack[] = [];
    const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = async (constraints) => {
      const stream = await getUserMedia(constraints);
      tracks.push(...stream.getAudioTracks());
      return stream;
    };
    try {
      const session = await newSession({ live: true });
      const element = await interviewFixture(session, { locale: 'en' });
      await untilScreen(element, 'pre-check');
      await until(() => maybePart(element, 'level-meter') !== null, 'the level meter', element);
      part<HTMLInputElement>(element, 'consent-checkbox').click();
      part(element, 'start-button').click();
      await untilScreen(element, 'live');
      await until(() => lastState(element)?.listening === true, 'listening', element, 30_000);

      const lost = tracks.at(-1)!;
      lost.stop();
      lost.dispatchEvent(new Event('ended'));
      await until(() => maybePart(element, 'microphone-retry-button') !== null, 'Try again', element);
      expect(part(element, 'live-error').textContent).to.contain('No microphone was found');
      expect(lastState(element)?.listening).to.equal(false);
      await expect(element).to.be.accessible();

      part(element, 'microphone-retry-button').click();
      await until(() => lastState(element)?.listening === true, 'listening again', element);
      expect(maybePart(element, 'live-error')).to.equal(null);
      expect(maybePart(element, 'microphone-retry-button')).to.equal(null);
      expect(tracks.at(-1)).to.not.equal(lost);

      // Lost again, the candidate types instead: the microphone's problem is no longer theirs.
      tracks.at(-1)!.stop();
      tracks.at(-1)!.dispatchEvent(new Event('ended'));
      await until(() => maybePart(element, 'live-error') !== null, 'the problem again', element);
      part(element, 'answer-mode-button').click();
      await until(() => maybePart(element, 'answer-input') !== null, 'the text box', element);
      expect(maybePart(element, 'live-error')).to.equal(null);
    } finally {
      navigator.mediaDevices.getUserMedia = getUserMedia;
    }
  });

  it('answers a microphone gone between the check and the start on the pre-check, and starts after Try again', async function () {
    this.timeout(60_000);
    const tracks: MediaStreamTrack[] = [];
    const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    let unplugged = false;
    navigator.mediaDevices.getUserMedia = async (constraints) => {
      if (unplugged) throw new DOMException('Requested device not found', 'NotFoundError');
      const stream = await getUserMedia(constraints);
      tracks.push(...stream.getAudioTracks());
      return stream;
    };
    try {
      const session = await newSession({ live: true });
      const element = await interviewFixture(session, { locale: 'en' });
      await untilScreen(element, 'pre-check');
      await until(() => maybePart(element, 'level-meter') !== null, 'the level meter', element);
      // The headset goes after the check: its track ends, and no device is left.
      unplugged = true;
      tracks.at(-1)!.stop();
      tracks.at(-1)!.dispatchEvent(new Event('ended'));
      part<HTMLInputElement>(element, 'consent-checkbox').click();
      part(element, 'start-button').click();
      await until(() => maybePart(element, 'microphone-retry-button') !== null, 'Try again', element);
      expect(part(element, 'microphone-help').textContent).to.contain('No microphone was found');

      unplugged = false;
      part(element, 'microphone-retry-button').click();
      await until(() => maybePart(element, 'level-meter') !== null, 'the level meter again', element);
      part(element, 'start-button').click();
      await untilScreen(element, 'live');
      await until(() => lastState(element)?.listening === true, 'listening', element, 30_000);
    } finally {
      navigator.mediaDevices.getUserMedia = getUserMedia;
    }
  });
});

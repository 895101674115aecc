import { expect } from '@open-wc/testing';
import { fakeTranscript } from '../support/protocol.ts';
import {
  focusedPart,
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

    // Choosing another device (here the same one again) keeps the check working, and the picker in place:
    // with the keyboard, the candidate is still on it while the device opens.
    let opened = 0;
    const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = async (constraints) => {
      const stream = await getUserMedia(constraints);
      opened += 1;
      return stream;
    };
    try {
      select.focus();
      select.value = select.options[0]!.value;
      select.dispatchEvent(new Event('change'));
      await element.updateComplete;
      expect(focusedPart(element), 'focus stays on the picker while the device opens').to.equal(
        'device-select',
      );
      await until(() => opened > 0, 'the device open', element);
      await element.updateComplete;
      expect(maybePart(element, 'level-meter')).to.not.equal(null);
      expect(focusedPart(element)).to.equal('device-select');
    } finally {
      navigator.mediaDevices.getUserMedia = getUserMedia;
    }

    // Answering by text closes the microphone; answering by voice opens it again. The switch re-renders the
    // panel it is in: focus goes to its counterpart.
    part(element, 'answer-mode-button').focus();
    part(element, 'answer-mode-button').click();
    await element.updateComplete;
    expect(maybePart(element, 'level-meter')).to.equal(null);
    expect(part(element, 'answer-mode').textContent).to.contain('answer by typing');
    expect(focusedPart(element)).to.equal('answer-mode-button');
    expect(part(element, 'answer-mode-button').textContent?.trim()).to.equal('Answer by voice instead');
    part(element, 'answer-mode-button').click();
    await element.updateComplete;
    expect(focusedPart(element)).to.equal('answer-mode-button');
    expect(part(element, 'answer-mode-button').textContent?.trim()).to.equal('Answer by text instead');
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

    // A toggle button: one label, and `aria-pressed` says whether it is on.
    const mute = part(element, 'mute-button');
    expect(mute.getAttribute('aria-pressed')).to.equal('false');
    expect(mute.textContent?.trim()).to.equal('Mute microphone');
    mute.click();
    await until(() => lastState(element)?.muted === true, 'muted', element);
    expect(part(element, 'mute-button').getAttribute('aria-pressed')).to.equal('true');
    expect(part(element, 'mute-button').textContent?.trim()).to.equal('Mute microphone');
    element.mute(false);
    await until(() => lastState(element)?.muted === false, 'unmuted', element);

    // Typing instead: the microphone closes and the text box appears, focused.
    part(element, 'answer-mode-button').click();
    await until(() => maybePart(element, 'text-answer') !== null, 'the text box', element);
    expect(element.shadowRoot!.activeElement?.getAttribute('part')).to.equal('answer-input');
    expect(maybePart(element, 'mute-button')).to.equal(null);
    await until(() => lastState(element)?.listening === false, 'the microphone closed', element);
    expect(visibleText(element)).not.to.contain('Mute microphone');
  });

  it('text-only set during a voice interview switches the candidate to typing', async function () {
    this.timeout(60_000);
    const session = await newSession({ live: true });
    const element = await interviewFixture(session, { locale: 'en' });
    await untilScreen(element, 'pre-check');
    await until(() => maybePart(element, 'level-meter') !== null, 'the level meter', element);
    part<HTMLInputElement>(element, 'consent-checkbox').click();
    part(element, 'start-button').click();
    await untilScreen(element, 'live');
    await until(() => lastState(element)?.listening === true, 'listening', element, 30_000);
    part(element, 'mute-button').focus();

    element.textOnly = true;
    await until(() => maybePart(element, 'text-answer') !== null, 'the text box', element);
    expect(maybePart(element, 'mute-button')).to.equal(null);
    expect(maybePart(element, 'answer-mode-button')).to.equal(null);
    await until(() => lastState(element)?.listening === false, 'the microphone closed', element);
    expect(focusedPart(element), 'the focus was on a voice control, now gone').to.equal('answer-input');
    expect(part(element, 'interviewer-visual').textContent).not.to.contain('answer out loud');
    await expect(element).to.be.accessible();
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

      part(element, 'microphone-retry-button').focus();
      part(element, 'microphone-retry-button').click();
      await until(() => lastState(element)?.listening === true, 'listening again', element);
      expect(maybePart(element, 'live-error')).to.equal(null);
      expect(maybePart(element, 'microphone-retry-button')).to.equal(null);
      expect(tracks.at(-1)).to.not.equal(lost);
      await until(
        () => focusedPart(element) === 'mute-button',
        'Try again gone, focus on the microphone control',
        element,
      );

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
    let attempts = 0;
    navigator.mediaDevices.getUserMedia = async (constraints) => {
      attempts += 1;
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

      // Still no device: Try again fails again, and the candidate is still on it.
      const before = attempts;
      part(element, 'microphone-retry-button').focus();
      part(element, 'microphone-retry-button').click();
      await until(() => attempts > before, 'the attempt', element);
      await until(
        () => focusedPart(element) === 'microphone-retry-button',
        'focus on Try again after the attempt failed',
        element,
      );

      unplugged = false;
      part(element, 'microphone-retry-button').click();
      await until(() => maybePart(element, 'level-meter') !== null, 'the level meter again', element);
      await until(
        () => focusedPart(element) === 'device-select',
        'Try again gone, focus on the picker',
        element,
      );
      part(element, 'start-button').click();
      await untilScreen(element, 'live');
      await until(() => lastState(element)?.listening === true, 'listening', element, 30_000);
    } finally {
      navigator.mediaDevices.getUserMedia = getUserMedia;
    }
  });
});

import { expect, oneEvent } from '@open-wc/testing';
import {
  interviewFixture,
  maybePart,
  newSession,
  part,
  until,
  untilCandidateTurn,
  untilScreen,
  visibleText,
} from './helpers.ts';

/**
 * Run by the `microphone-denied` group (web-test-runner.config.mjs): a Chromium that refuses every
 * permission prompt, as when a candidate clicks Block or their browser blocks the microphone for the site.
 */
describe('<ai-interview> microphone denied', () => {
  it('explains how to allow the microphone, and offers to answer by text', async () => {
    // A live session takes spoken answers, so the pre-check asks for the microphone.
    const session = await newSession({ live: true });
    const element = await interviewFixture(session, { locale: 'en' });
    const denied = oneEvent(element, 'interview-error');
    await untilScreen(element, 'pre-check');
    expect((await denied).detail.code).to.equal('microphone_denied');
    await until(() => maybePart(element, 'microphone-help') !== null, 'the microphone help', element);

    const help = part(element, 'microphone-help');
    expect(help.getAttribute('role')).to.equal('alert');
    expect(help.textContent).to.contain('Microphone access is blocked');
    expect(help.textContent).to.contain('set Microphone to Allow');
    expect(maybePart(element, 'level-meter')).to.equal(null);
    expect(maybePart(element, 'microphone-retry-button')).not.to.equal(null);
    await expect(element).to.be.accessible();

    // Start explains what is missing instead of starting.
    part<HTMLInputElement>(element, 'consent-checkbox').click();
    part(element, 'start-button').click();
    await element.updateComplete;
    expect(visibleText(element)).to.contain('Please allow your microphone, or choose to answer by text.');

    // Trying again is refused again, and says so again.
    part(element, 'microphone-retry-button').click();
    await until(() => maybePart(element, 'microphone-help') !== null, 'the help after a retry', element);

    part(element, 'answer-mode-button').click();
    await element.updateComplete;
    expect(maybePart(element, 'microphone')).to.equal(null);
    expect(part(element, 'answer-mode').textContent).to.contain('answer by typing');
    part(element, 'start-button').click();
    await untilScreen(element, 'live');
    await untilCandidateTurn(element);
    expect(maybePart(element, 'answer-input')).not.to.equal(null);
    expect(maybePart(element, 'mute-button')).to.equal(null);
    await expect(element).to.be.accessible();
  });
});

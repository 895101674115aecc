import { expect } from '@open-wc/testing';
import { emulateMedia } from '@web/test-runner-commands';
import { type FramedInterview, framedInterview } from './framed.ts';
import { maybePart, newSession, part, until, untilScreen, visibleText } from './helpers.ts';

/**
 * A host page with a strict Content-Security-Policy: `style-src 'self'`, no 'unsafe-inline'. Such a policy
 * blocks every `style` attribute written as markup; the widget's styles (constructed style sheets) and the
 * custom properties it sets through the CSSOM are allowed.
 */
const strictPolicy = `<meta http-equiv="Content-Security-Policy" content="style-src 'self'">`;

describe('<ai-interview> under a strict Content-Security-Policy', () => {
  let framed: FramedInterview | null = null;

  afterEach(async () => {
    framed?.frame.remove();
    framed = null;
    await emulateMedia({ reducedMotion: 'no-preference' });
  });

  it("moves its level meter and the interviewer visual without inline styles the page's CSP blocks", async function () {
    this.timeout(60_000);
    // Without transitions, the meter's fill is as wide as the level at once.
    await emulateMedia({ reducedMotion: 'reduce' });
    // A live session takes spoken answers: the pre-check shows the level meter of Chromium's fake microphone.
    const session = await newSession({ live: true });
    framed = await framedInterview(session, { head: strictPolicy });
    const { element, violations } = framed;
    await untilScreen(element, 'pre-check');
    await until(() => maybePart(element, 'level-meter') !== null, 'the level meter', element);
    await until(
      () => Number(part(element, 'level-meter').getAttribute('aria-valuenow')) > 10,
      'a level',
      element,
    );

    // The button has its colours: the widget's styles apply under the policy.
    const start = part(element, 'start-button');
    expect(getComputedStyle(start).backgroundColor).to.equal('rgb(67, 56, 202)');
    const meter = part(element, 'level-meter');
    expect(meter.style.getPropertyValue('--level'), 'the meter fill follows the level').to.equal(
      `${meter.getAttribute('aria-valuenow')}%`,
    );
    const fill = meter.querySelector<HTMLElement>('.level-meter__fill')!;
    expect(fill.getBoundingClientRect().width, 'the fill is drawn').to.be.above(0);

    part<HTMLInputElement>(element, 'consent-checkbox').click();
    start.click();
    await untilScreen(element, 'live');
    const visual = () => part(element, 'interviewer-visual');
    expect(visual().style.getPropertyValue('--candidate-level'), visibleText(element)).not.to.equal('');
    // Chromium's fake microphone speaks on the candidate's turn: the outline grows with the voice.
    await until(
      () => Number(visual().style.getPropertyValue('--candidate-level')) > 0,
      "the candidate's voice in the interviewer visual",
      element,
      30_000,
    );

    expect(violations, violations.join('\n')).to.deep.equal([]);
  });
});

import { expect } from '@open-wc/testing';
import { type FramedInterview, framedInterview } from './framed.ts';
import { maybePart, newSession, part, until, untilScreen, visibleText } from './helpers.ts';

describe('<ai-interview> in an <iframe>', () => {
  let framed: FramedInterview | null = null;

  afterEach(() => {
    framed?.frame.remove();
    framed = null;
  });

  it('says voice answers do not work, with no Try again, in a frame that may not use the microphone', async () => {
    // The browser refuses such a frame the microphone without asking anyone: it is the host page's doing,
    // which neither the candidate's choice nor a retry can change.
    const session = await newSession({ live: true });
    framed = await framedInterview(session, { allow: "microphone 'none'" });
    const { element, errors } = framed;
    await untilScreen(element, 'pre-check');
    await until(() => maybePart(element, 'microphone-help') !== null, 'the microphone help', element);

    const help = part(element, 'microphone-help');
    expect(help.textContent, visibleText(element)).to.contain(
      'Voice answers do not work on this page or in this browser, so you will answer by typing.',
    );
    expect(help.textContent).not.to.contain('blocked');
    expect(maybePart(element, 'microphone-retry-button'), visibleText(element)).to.equal(null);
    expect(maybePart(element, 'level-meter')).to.equal(null);

    expect(errors.map((error) => error.code)).to.deep.equal(['microphone_unavailable']);
    expect(errors[0]!.retryable).to.equal(false);
    expect(errors[0]!.message, 'the host developer is told what to change').to.contain('allow="microphone"');

    // The candidate goes on by typing.
    part(element, 'answer-mode-button').click();
    await element.updateComplete;
    expect(part(element, 'answer-mode').textContent).to.contain('answer by typing');
  });
});

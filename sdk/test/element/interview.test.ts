import { expect, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { TranscriptEntry } from '../../src/client/types.ts';
import {
  interviewFixture,
  lastState,
  longAnswer,
  maybePart,
  newSession,
  part,
  serverInterview,
  serverTranscript,
  until,
  untilCandidateTurn,
  untilScreen,
} from './helpers.ts';

describe('<ai-interview> text interview', () => {
  it('runs a whole interview through its own controls: captions, progress, completion', async () => {
    const session = await newSession();
    const element = await interviewFixture(session, { locale: 'en' });
    const transcriptEvents: TranscriptEntry[] = [];
    element.addEventListener('interview-transcript', (event) => transcriptEvents.push(event.detail));
    await untilScreen(element, 'pre-check');

    part<HTMLInputElement>(element, 'consent-checkbox').click();
    part(element, 'start-button').click();
    await untilScreen(element, 'live');
    expect(part(element, 'progress').textContent?.trim()).to.equal('Question 1 of 2');
    // The clock comes with the stream's first `state` event, which may land just after the screen turns live.
    await until(() => maybePart(element, 'timer') !== null, 'the timer', element);
    expect(part(element, 'timer').textContent).to.match(/Time left\s*(29|30):\d\d/);
    const captions = part(element, 'captions');
    expect(captions.getAttribute('aria-live')).to.equal('polite');

    await untilCandidateTurn(element);
    expect(captions.textContent).to.contain('Tell me about a component you are proud of.');
    expect(captions.textContent).to.contain('Grace');
    await expect(element).to.be.accessible();

    // Typing and Enter send the answer; Shift+Enter is a new line.
    const input = part<HTMLTextAreaElement>(element, 'answer-input');
    input.focus();
    await sendKeys({ type: 'First line' });
    await sendKeys({ down: 'Shift' });
    await sendKeys({ press: 'Enter' });
    await sendKeys({ up: 'Shift' });
    await sendKeys({ type: longAnswer });
    expect(input.value).to.equal(`First line\n${longAnswer}`);
    await sendKeys({ press: 'Enter' });
    await until(
      () => part(element, 'progress').textContent?.trim() === 'Question 2 of 2',
      'question 2',
      element,
    );
    // The draft is kept until the platform acknowledges it, which may come after the next question.
    await until(() => input.value === '', 'the draft cleared', element);
    expect(captions.textContent).to.contain(longAnswer);
    expect(captions.textContent).to.contain('How do you test accessibility?');
    await untilCandidateTurn(element);

    const completed = oneEvent(element, 'interview-completed');
    input.focus();
    await sendKeys({ type: longAnswer });
    await sendKeys({ press: 'Enter' });
    const { detail } = await completed;
    expect(detail).to.deep.equal({ interviewId: session.interviewId, reason: 'questions_done' });
    await untilScreen(element, 'completed');
    expect(part(element, 'completed').textContent).to.contain('Thank you!');
    await expect(element).to.be.accessible();

    const candidateLines = transcriptEvents.filter((entry) => entry.speaker === 'candidate' && entry.final);
    expect(candidateLines.map((entry) => entry.text)).to.deep.equal([
      `First line\n${longAnswer}`,
      longAnswer,
    ]);
    const transcript = await serverTranscript(session.interviewId);
    expect(
      transcript.turns.map((turn) => `${turn.speaker}:${turn.kind}`),
      JSON.stringify(transcript, null, 2),
    ).to.deep.equal([
      'interviewer:intro',
      'candidate:answer',
      'interviewer:question',
      'candidate:answer',
      'interviewer:closing',
    ]);
    expect((await serverInterview(session.interviewId)).status).to.equal('completed');
    expect(lastState(element)?.status).to.equal('completed');
  });

  it('lets the completed slot replace the thank-you', async () => {
    const session = await newSession();
    const element = await interviewFixture(session, { locale: 'en' });
    const custom = document.createElement('p');
    custom.slot = 'completed';
    custom.textContent = 'Thanks from Acme: we will call you.';
    element.append(custom);
    await untilScreen(element, 'pre-check');
    part<HTMLInputElement>(element, 'consent-checkbox').click();
    await element.start();
    await untilScreen(element, 'live');
    await element.end();
    await untilScreen(element, 'completed');
    const slot = part(element, 'completed').querySelector<HTMLSlotElement>('slot[name="completed"]')!;
    expect(slot.assignedElements().length).to.equal(1);
    expect(slot.assignedElements()[0] === custom).to.equal(true);
    expect(custom.checkVisibility()).to.equal(true);
  });
});

import { expect, oneEvent } from '@open-wc/testing';
import {
  focusedPart,
  interviewFixture,
  maybePart,
  newSession,
  part,
  screen,
  serverInterview,
  untilCandidateTurn,
  untilScreen,
} from './helpers.ts';

async function liveInterview() {
  const session = await newSession();
  const element = await interviewFixture(session, { locale: 'en' });
  await untilScreen(element, 'pre-check');
  part<HTMLInputElement>(element, 'consent-checkbox').click();
  part(element, 'start-button').click();
  await untilScreen(element, 'live');
  await untilCandidateTurn(element);
  return { session, element };
}

describe('<ai-interview> ending', () => {
  it('asks for confirmation, and Keep going returns to the interview', async () => {
    const { element } = await liveInterview();
    part(element, 'end-button').click();
    await element.updateComplete;
    const confirm = part(element, 'end-confirm');
    expect(confirm.textContent).to.contain('End the interview now?');
    expect(focusedPart(element)).to.equal('end-cancel-button');
    await expect(element).to.be.accessible();

    part(element, 'end-cancel-button').click();
    await element.updateComplete;
    expect(maybePart(element, 'end-confirm')).to.equal(null);
    expect(focusedPart(element)).to.equal('end-button');
    expect(screen(element)).to.equal('live');
  });

  it('lets the host veto the end with preventDefault on interview-end-request', async () => {
    const { session, element } = await liveInterview();
    const veto = (event: Event) => event.preventDefault();
    element.addEventListener('interview-end-request', veto);
    const request = oneEvent(element, 'interview-end-request');
    part(element, 'end-button').click();
    await element.updateComplete;
    part(element, 'end-confirm-button').click();
    const event = await request;
    expect(event.detail.interviewId).to.equal(session.interviewId);
    expect(event.cancelable).to.equal(true);
    expect(event.composed).to.equal(true);
    await element.updateComplete;
    expect(screen(element)).to.equal('live');
    expect((await serverInterview(session.interviewId)).status).to.equal('in_progress');

    element.removeEventListener('interview-end-request', veto);
    const completed = oneEvent(element, 'interview-completed');
    part(element, 'end-button').click();
    await element.updateComplete;
    part(element, 'end-confirm-button').click();
    expect((await completed).detail).to.deep.equal({
      interviewId: session.interviewId,
      reason: 'candidate_ended',
    });
    await untilScreen(element, 'completed');
    expect(part(element, 'completed').textContent).to.contain('You ended the interview.');
    expect((await serverInterview(session.interviewId)).status).to.equal('completed');
  });

  it('ends once on a double click of the confirmation, with no error after', async () => {
    const { session, element } = await liveInterview();
    const requests: unknown[] = [];
    const errors: unknown[] = [];
    element.addEventListener('interview-end-request', (event) => requests.push(event.detail));
    element.addEventListener('interview-error', (event) => errors.push(event.detail));
    const completed = oneEvent(element, 'interview-completed');
    part(element, 'end-button').click();
    await element.updateComplete;
    const confirm = part(element, 'end-confirm-button');
    confirm.click();
    confirm.click();
    expect((await completed).detail.reason).to.equal('candidate_ended');
    await untilScreen(element, 'completed');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(screen(element)).to.equal('completed');
    expect(requests).to.have.length(1);
    expect(errors).to.deep.equal([]);
    expect((await serverInterview(session.interviewId)).status).to.equal('completed');
  });
});

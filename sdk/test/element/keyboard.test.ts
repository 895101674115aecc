import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type AiInterview from '../../src/element/ai-interview.component.ts';
import {
  focused,
  focusedPart,
  longAnswer,
  newSession,
  part,
  until,
  untilCandidateTurn,
  untilScreen,
} from './helpers.ts';

describe('<ai-interview> keyboard', () => {
  it('can be taken from start to end with the keyboard alone', async () => {
    const session = await newSession();
    const states: string[] = [];
    const wrapper = await fixture<HTMLDivElement>(html`
      <div>
        <button id="before">Before</button>
        <ai-interview locale="en" api-base=${session.apiBase} session-token=${session.token}></ai-interview>
      </div>
    `);
    const element = wrapper.querySelector('ai-interview')!;
    element.addEventListener('interview-state', (event) => states.push(event.detail.turn));
    await untilScreen(element, 'pre-check');
    wrapper.querySelector<HTMLButtonElement>('#before')!.focus();

    // Pre-check: the notice's checkbox, then Start. Space ticks the box; Enter starts.
    await sendKeys({ press: 'Tab' });
    expect(focusedPart(element)).to.equal('consent-checkbox');
    await sendKeys({ press: 'Tab' });
    expect(focusedPart(element)).to.equal('start-button');
    await sendKeys({ press: 'Enter' });
    expect(part(element, 'consent').textContent).to.contain('Please accept');
    expect(focusedPart(element)).to.equal('consent-checkbox');
    await sendKeys({ press: 'Space' });
    expect(part<HTMLInputElement>(element, 'consent-checkbox').checked).to.equal(true);
    await sendKeys({ press: 'Tab' });
    await sendKeys({ press: 'Enter' });

    // Live: focus follows into the answer box.
    await untilScreen(element, 'live');
    await until(() => focusedPart(element) === 'answer-input', 'focus in the answer box', element);
    await untilCandidateTurn(element);
    await sendKeys({ type: longAnswer });
    await sendKeys({ press: 'Enter' });
    await until(
      () => part(element, 'progress').textContent?.trim() === 'Question 2 of 2',
      'question 2',
      element,
    );
    expect(focusedPart(element)).to.equal('answer-input');

    // Focus order in the live screen: captions (scrollable), answer box, Send (disabled while empty), End.
    await sendKeys({ down: 'Shift' });
    await sendKeys({ press: 'Tab' });
    await sendKeys({ up: 'Shift' });
    expect(focusedPart(element)).to.equal('captions');
    await sendKeys({ press: 'Tab' });
    await sendKeys({ press: 'Tab' });
    expect(focusedPart(element)).to.equal('end-button');
    await expectFocusRing(element);

    // End: Enter asks, Escape keeps going, Space on "Yes, end it" ends.
    await sendKeys({ press: 'Enter' });
    expect(focusedPart(element)).to.equal('end-cancel-button');
    await sendKeys({ press: 'Escape' });
    expect(focusedPart(element)).to.equal('end-button');
    await sendKeys({ press: 'Space' });
    expect(focusedPart(element)).to.equal('end-cancel-button');
    await sendKeys({ press: 'Tab' });
    expect(focusedPart(element)).to.equal('end-confirm-button');
    await sendKeys({ press: 'Space' });
    await untilScreen(element, 'completed');
    expect(focused(element)?.id).to.equal('completed-heading');
    expect(states).to.include('candidate');
  });
});

/** The focused control shows a visible focus ring (`:focus-visible` outline). */
async function expectFocusRing(element: AiInterview): Promise<void> {
  const node = focused(element)!;
  expect(node.matches(':focus-visible')).to.equal(true);
  const style = getComputedStyle(node);
  expect(style.outlineStyle).to.equal('solid');
  expect(Number.parseFloat(style.outlineWidth)).to.be.at.least(2);
}

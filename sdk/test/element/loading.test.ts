import { expect, fixture, html } from '@open-wc/testing';
import type AiInterview from '../../src/element/ai-interview.component.ts';
import { focused, interviewFixture, newSession, part, proxy, untilScreen, visibleText } from './helpers.ts';

describe('<ai-interview> loading', () => {
  it('has a heading, and a status that nothing marks busy', async () => {
    // No token yet: the loading screen stays.
    const element = await fixture<AiInterview>(html`<ai-interview locale="en"></ai-interview>`);
    const loading = part(element, 'loading');
    const heading = loading.querySelector('h2');
    expect(heading, loading.outerHTML).to.not.equal(null);
    expect(heading!.textContent).to.equal('Loading your interview…');
    expect(heading!.hasAttribute('data-autofocus'), 'the focus target of the screen').to.equal(true);
    expect(heading!.tabIndex).to.equal(-1);
    expect(loading.getAttribute('aria-labelledby')).to.equal(heading!.id);
    const busy = element.shadowRoot!.querySelector('[aria-busy="true"]');
    expect(busy, busy?.outerHTML).to.equal(null);
    const status = loading.querySelector('[role="status"]');
    expect(status?.textContent).to.equal('Loading your interview…');
    await expect(element).to.be.accessible();
  });

  it('takes the focus to its heading while the interview starts', async () => {
    const session = await newSession({ proxy: true });
    const element = await interviewFixture(session, { locale: 'en' });
    await untilScreen(element, 'pre-check');
    // The start takes a while, so that the starting screen stays long enough to look at.
    await proxy(session, { action: 'delay-responses', method: 'POST', path: '/v1/session/start', ms: 1500 });
    part<HTMLInputElement>(element, 'consent-checkbox').click();
    const start = part(element, 'start-button');
    start.focus();
    start.click();
    await untilScreen(element, 'starting');
    expect(focused(element)?.id, visibleText(element)).to.equal('loading-heading');
    expect(focused(element)?.textContent).to.equal('Starting your interview…');
    await expect(element).to.be.accessible();
    await untilScreen(element, 'live');
  });
});

import { expect } from '@open-wc/testing';

/**
 * The script-tag build on its own, as a host page loads it: it must register the element. (A bundler that
 * believes the registering module has no side effects drops the registration silently.)
 */
describe('the script-tag build (dist/cdn/ai-interview.js)', () => {
  it('registers <ai-interview> when loaded by itself', async () => {
    const url = new URL('/dist/cdn/ai-interview.js', location.origin).href;
    const module = (await import(url)) as { AiInterview?: unknown; InterviewClient?: unknown };
    expect(customElements.get('ai-interview'), 'registered').to.not.equal(undefined);
    expect(module.InterviewClient, 'InterviewClient exported').to.be.a('function');
  });
});

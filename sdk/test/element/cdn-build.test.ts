import { expect } from '@open-wc/testing';

/**
 * The script-tag build on its own, as a host page loads it: it must register the element. (A bundler that
 * believes the registering module has no side effects drops the registration silently.)
 */
describe('the script-tag build (dist/cdn/ai-interview.js)', () => {
  // The test framework's own modules must not crowd the chunks out of the default 250 entries.
  performance.setResourceTimingBufferSize(10_000);

  it('registers <ai-interview> when loaded by itself', async () => {
    const url = new URL('/dist/cdn/ai-interview.js', location.origin).href;
    const module = (await import(url)) as { AiInterview?: unknown; InterviewClient?: unknown };
    expect(customElements.get('ai-interview'), 'registered').to.not.equal(undefined);
    expect(module.InterviewClient, 'InterviewClient exported').to.be.a('function');
  });

  it('fetches the strings of a language other than English only when it is shown', async () => {
    await import(new URL('/dist/cdn/ai-interview.js', location.origin).href);
    // Vite names a split chunk `name-<8 hash characters>.js`, which the platform's /sdk/ route caches forever.
    const chunks = () =>
      performance
        .getEntriesByType('resource')
        .map((entry) => new URL(entry.name).pathname)
        .filter((path) => /^\/dist\/cdn\/(en|es|fr|de|pt)-[A-Za-z0-9_-]{8}\.js$/.test(path));
    expect(chunks(), 'no strings fetched by the entry').to.deep.equal([]);

    const element = document.createElement('ai-interview');
    element.setAttribute('locale', 'es');
    document.body.append(element);
    try {
      await element.localeReady;
      const base = element.shadowRoot!.querySelector<HTMLElement>('[part~="base"]')!;
      expect(base.lang).to.equal('es');
      expect(base.textContent?.replace(/\s+/g, ' ')).to.contain('Cargando su entrevista');
      expect(chunks().map((path) => path.split('/').pop()!.split('-')[0])).to.deep.equal(['es']);
    } finally {
      element.remove();
    }
  });
});

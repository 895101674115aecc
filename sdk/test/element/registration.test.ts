import { expect } from '@open-wc/testing';
import AiInterview from '../../src/element/ai-interview.component.ts';
import '../../src/element/ai-interview.ts';

describe('<ai-interview> registration', () => {
  it('registers once, and a second copy of the same version registers quietly', async () => {
    expect(customElements.get('ai-interview')).to.be.a('function');
    expect(document.createElement('ai-interview')).to.be.instanceOf(AiInterview);
    const warnings: unknown[][] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => warnings.push(args);
    try {
      expect(() => AiInterview.define('ai-interview')).not.to.throw();
      // The page loads the script again: a new module instance, a new class of the same version.
      await import(`../../src/element/ai-interview.ts?copy=${Date.now()}`);
      expect(warnings).to.deep.equal([]);

      class NextVersion extends AiInterview {
        static override readonly version = '9.0.0';
      }
      expect(() => NextVersion.define('ai-interview')).not.to.throw();
      expect(String(warnings[0]?.[0])).to.contain('9.0.0').and.to.contain(AiInterview.version);
    } finally {
      console.warn = warn;
    }
  });

  it('is typed in HTMLElementTagNameMap and its events in the global event map', () => {
    const element: AiInterview = document.createElement('ai-interview');
    let reason: string | undefined;
    element.addEventListener('interview-completed', (event) => {
      reason = event.detail.reason;
    });
    element.dispatchEvent(
      new CustomEvent('interview-completed', { detail: { interviewId: 'int_1', reason: 'questions_done' } }),
    );
    expect(reason).to.equal('questions_done');
  });
});

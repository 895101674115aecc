import { expect } from '@open-wc/testing';
import { de } from '../../src/element/strings/de.ts';
import { en } from '../../src/element/strings/en.ts';
import { es } from '../../src/element/strings/es.ts';
import { fr } from '../../src/element/strings/fr.ts';
import { pt } from '../../src/element/strings/pt.ts';
import { interviewFixture, newSession, part, untilScreen } from './helpers.ts';

const text = (node: Element) => node.textContent?.replace(/\s+/g, ' ').trim();

describe('<ai-interview> languages', () => {
  it('has every string in every language, with the same placeholders', () => {
    const placeholders = (value: string) => [...value.matchAll(/\{\w+\}/g)].map((m) => m[0]).sort();
    for (const [name, table] of Object.entries({ es, fr, de, pt })) {
      expect(Object.keys(table).sort(), name).to.deep.equal(Object.keys(en).sort());
      for (const [key, value] of Object.entries(table)) {
        expect(placeholders(value), `${name}.${key}`).to.deep.equal(placeholders(en[key as keyof typeof en]));
        expect(value.trim(), `${name}.${key}`).not.to.equal('');
      }
    }
  });

  it('switches language live, and takes overrides of any string', async () => {
    const session = await newSession();
    const element = await interviewFixture(session, { locale: 'fr' });
    await untilScreen(element, 'pre-check');
    const root = element.shadowRoot!;
    expect(text(part(element, 'start-button'))).to.equal('Commencer l’entretien');
    expect(root.querySelector('h2')!.textContent).to.equal('Avant de commencer');
    expect(text(part(element, 'pre-check'))).to.contain('2 questions');
    expect(part(element, 'base').lang).to.equal('fr');
    await expect(element).to.be.accessible();

    element.locale = 'de';
    await element.updateComplete;
    expect(text(part(element, 'start-button'))).to.equal('Interview starten');
    expect(text(part(element, 'pre-check'))).to.contain('2 Fragen');
    expect(text(part(element, 'consent'))).to.contain('Hinweis zur Aufzeichnung');
    expect(part(element, 'base').lang).to.equal('de');

    element.strings = { start: 'Los geht’s', preCheckHeading: 'Gleich geht es los' };
    await element.updateComplete;
    expect(text(part(element, 'start-button'))).to.equal('Los geht’s');
    expect(root.querySelector('h2')!.textContent).to.equal('Gleich geht es los');

    element.locale = 'xx-unknown';
    element.strings = undefined;
    await element.updateComplete;
    const expected = { es, fr, de, pt }[navigator.language.slice(0, 2) as 'es'] ?? en;
    expect(text(part(element, 'start-button'))).to.equal(expected.start);
  });

  it('lays out right to left under dir="rtl"', async () => {
    const session = await newSession();
    const element = await interviewFixture(session, { locale: 'en', dir: 'rtl' });
    await untilScreen(element, 'pre-check');
    const base = part(element, 'base');
    expect(getComputedStyle(base).direction).to.equal('rtl');
    const frame = base.getBoundingClientRect();
    // Actions sit at the end of the line: the left edge in right-to-left.
    const start = part(element, 'start-button').getBoundingClientRect();
    expect(start.left - frame.left).to.be.below(frame.right - start.right);
    // The title starts at the right edge.
    const title = part(element, 'title').getBoundingClientRect();
    expect(frame.right - title.right).to.be.below(title.left - frame.left);

    element.removeAttribute('dir');
    await element.updateComplete;
    const ltr = part(element, 'start-button').getBoundingClientRect();
    expect(frame.right - ltr.right).to.be.below(ltr.left - frame.left);
    await expect(element).to.be.accessible();
  });
});

import { expect } from '@open-wc/testing';
import { LocalizeController, type LocalizedHost, supportedLocale } from '../../src/element/localize.ts';
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

  it('tells which locale fits a tag without loading any strings', () => {
    expect(supportedLocale('pt-BR')).to.equal('pt');
    expect(supportedLocale(' DE_at ')).to.equal('de');
    expect(supportedLocale('en')).to.equal('en');
    expect(supportedLocale('xx-unknown')).to.equal(undefined);
    expect(supportedLocale('')).to.equal(undefined);
    expect(supportedLocale(undefined)).to.equal(undefined);
  });

  it('loads a language on demand, showing English and the overrides until it arrives', async () => {
    // Nothing in this page has asked for Portuguese yet, so its strings are not loaded.
    const updates: string[] = [];
    const host = {
      locale: 'pt-BR',
      strings: { start: 'Vamos lá' },
      addController() {},
      requestUpdate() {
        updates.push(host.locale);
      },
    };
    const localize = new LocalizeController(host as unknown as LocalizedHost);
    expect(localize.lang()).to.equal('en');
    expect(localize.langTag(), 'the words are English until the strings arrive').to.equal('en');
    expect(localize.term('preCheckHeading')).to.equal(en.preCheckHeading);
    expect(localize.term('start')).to.equal('Vamos lá');
    // English plural rules while English shows: "0 questions".
    expect(localize.plural('questions', 0)).to.equal('0 questions');

    await localize.ready();
    expect(localize.lang()).to.equal('pt');
    expect(localize.langTag()).to.equal('pt-BR');
    expect(localize.term('preCheckHeading')).to.equal(pt.preCheckHeading);
    expect(localize.term('start')).to.equal('Vamos lá');
    // Portuguese counts 0 as singular.
    expect(localize.plural('questions', 0)).to.equal('0 pergunta');
    expect(localize.plural('questions', 2)).to.equal('2 perguntas');
    expect(updates, 'the host re-renders once when the strings arrive').to.deep.equal(['pt-BR']);

    await localize.ready();
    expect(updates, 'no re-render once they are loaded').to.deep.equal(['pt-BR']);
  });

  it('switches language live, and takes overrides of any string', async () => {
    const session = await newSession();
    const element = await interviewFixture(session, { locale: 'fr' });
    await untilScreen(element, 'pre-check');
    await element.localeReady;
    const root = element.shadowRoot!;
    expect(text(part(element, 'start-button'))).to.equal('Commencer l’entretien');
    expect(root.querySelector('h2')!.textContent).to.equal('Avant de commencer');
    expect(text(part(element, 'pre-check'))).to.contain('2 questions');
    expect(part(element, 'base').lang).to.equal('fr');
    await expect(element).to.be.accessible();

    element.locale = 'de';
    await element.localeReady;
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
    await element.localeReady;
    const expected = { es, fr, de, pt }[navigator.language.slice(0, 2) as 'es'] ?? en;
    expect(text(part(element, 'start-button'))).to.equal(expected.start);
  });

  it("marks the job's words with the job's language, and the widget's with its own", async () => {
    const session = await newSession({
      job: {
        title: 'Ingeniera de frontend',
        description: 'Equipo de sistemas de diseño.',
        language: 'es',
        questions: [
          { text: '¿De qué componente está orgullosa?' },
          { text: '¿Cómo prueba la accesibilidad?' },
        ],
        rubric: { dimensions: [{ key: 'craft', name: 'Oficio', weight: 1 }] },
      },
    });
    const element = await interviewFixture(session, { locale: 'en' });
    await untilScreen(element, 'pre-check');
    const root = element.shadowRoot!;
    const consent = root.querySelector<HTMLElement>('#consent-text')!;
    expect(text(consent)).to.contain('Esta entrevista la realiza un entrevistador de IA');
    const marked = {
      widget: part(element, 'base').lang,
      consent: consent.lang,
      jobTitle: root.querySelector<HTMLElement>('.title__job')!.lang,
    };
    expect(marked).to.deep.equal({ widget: 'en', consent: 'es', jobTitle: 'es' });
    await expect(element).to.be.accessible();
  });

  it('gives the region the lang of the locale set, for a language of its own strings too', async () => {
    const session = await newSession();
    const arabic = {
      preCheckHeading: 'قبل أن تبدأ',
      start: 'ابدأ المقابلة',
    };
    const element = await interviewFixture(session, { locale: ' ar ' });
    element.strings = arabic;
    await untilScreen(element, 'pre-check');
    await element.localeReady;
    expect(part(element, 'base').lang, 'the trimmed locale').to.equal('ar');
    expect(text(part(element, 'start-button'))).to.equal(arabic.start);

    // A locale of ours keeps its region (pt-BR), once its strings show.
    element.strings = undefined;
    element.locale = 'pt-br';
    await element.localeReady;
    expect(part(element, 'base').lang).to.equal('pt-BR');
    expect(text(part(element, 'start-button'))).to.equal(pt.start);

    // Unset: the language shown.
    element.locale = undefined;
    await element.localeReady;
    const shown = supportedLocale(navigator.language) ?? 'en';
    expect(part(element, 'base').lang).to.equal(shown);
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

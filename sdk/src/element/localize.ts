import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { en, type InterviewStringKey, type InterviewStrings } from './strings/en.ts';

/** The languages the widget has strings for, listed here so that telling which fits needs no table. */
const locales = ['en', 'es', 'fr', 'de', 'pt'] as const;

export type InterviewLocale = (typeof locales)[number];

// English is built into the script-tag entry; every other table is a chunk of its own (`es-<hash>.js`
// beside it), fetched only by a page that shows that language, so the entry stays within its size budget.
const loaders: Record<Exclude<InterviewLocale, 'en'>, () => Promise<InterviewStrings>> = {
  es: () => import('./strings/es.ts').then((module) => module.es),
  fr: () => import('./strings/fr.ts').then((module) => module.fr),
  de: () => import('./strings/de.ts').then((module) => module.de),
  pt: () => import('./strings/pt.ts').then((module) => module.pt),
};

/** The tables loaded so far, shared by every element on the page. */
const tables: Partial<Record<InterviewLocale, InterviewStrings>> = { en };
const loads = new Map<InterviewLocale, Promise<void>>();

/**
 * Loads the table of `locale` once per page. A failed load is not retried (the element re-renders many
 * times a second while the microphone level moves); the widget stays in English.
 */
function loadTable(locale: InterviewLocale): Promise<void> {
  if (locale === 'en' || tables[locale]) return Promise.resolve();
  let load = loads.get(locale);
  if (!load) {
    load = loaders[locale]().then(
      (table) => {
        tables[locale] = table;
      },
      (error: unknown) => {
        console.warn(`<ai-interview> could not load its "${locale}" strings, so it shows English.`, error);
      },
    );
    loads.set(locale, load);
  }
  return load;
}

/** The host a `LocalizeController` serves: its `locale` attribute and its `strings` overrides. */
export interface LocalizedHost extends ReactiveControllerHost, HTMLElement {
  locale: string | undefined;
  strings: Partial<InterviewStrings> | undefined;
}

/** The best supported locale for a BCP 47 tag (`pt-BR` → `pt`), or `undefined` when none fits. */
export function supportedLocale(tag: string | null | undefined): InterviewLocale | undefined {
  const language = tag?.trim().toLowerCase().split(/[-_]/)[0];
  return locales.find((locale) => locale === language);
}

/** `tag` trimmed and in its canonical case (` pt-br ` → `pt-BR`); `undefined` when empty or not BCP 47. */
function canonicalTag(tag: string | null | undefined): string | undefined {
  const trimmed = tag?.trim();
  if (!trimmed) return undefined;
  try {
    return Intl.getCanonicalLocales(trimmed)[0];
  } catch {
    return undefined;
  }
}

/**
 * Localization for one element: which language to show (its `locale`, else the browser's, else English),
 * which direction to lay out in, and the strings, with the host's `strings` overrides first. The strings
 * of a language other than English load on demand: the host shows English until they arrive, then
 * re-renders. Direction follows the `dir` attribute of the element or its nearest ancestor, so an Arabic
 * or Hebrew page lays the widget out right to left even in a language the widget has no strings for; a
 * change of `dir` or `lang` on the document re-renders the host.
 */
export class LocalizeController implements ReactiveController {
  private observer: MutationObserver | null = null;
  /** The locales this host waits for, so that each load re-renders it once. */
  private readonly awaited = new Map<InterviewLocale, Promise<void>>();

  constructor(private readonly host: LocalizedHost) {
    host.addController(this);
  }

  hostConnected(): void {
    this.observer = new MutationObserver(() => this.host.requestUpdate());
    this.observer.observe(document.documentElement, { attributes: true, attributeFilter: ['dir', 'lang'] });
  }

  hostDisconnected(): void {
    this.observer?.disconnect();
    this.observer = null;
  }

  hostUpdate(): void {
    // Before each render: start loading the wanted language, which this render shows in English.
    void this.ready();
  }

  /**
   * Resolves once the strings of the wanted language are loaded and the host has been asked to render
   * them: at once when they already are. Never rejects; after a failed load the host stays in English.
   */
  ready(): Promise<void> {
    const wanted = this.wanted();
    if (tables[wanted]) return Promise.resolve();
    let awaited = this.awaited.get(wanted);
    if (!awaited) {
      awaited = loadTable(wanted).then(() => this.host.requestUpdate());
      this.awaited.set(wanted, awaited);
    }
    return awaited;
  }

  /** The locale the strings come from: the wanted one once its strings are loaded, English until then. */
  lang(): InterviewLocale {
    const wanted = this.wanted();
    return tables[wanted] ? wanted : 'en';
  }

  /**
   * The language of the widget's own text, as its `lang` attribute gives it: the host's `locale` as written
   * (`pt-BR`, or `ar` for a page that gives Arabic `strings`) once its strings show, else the locale shown.
   */
  langTag(): string {
    const shown = this.lang();
    const tag = canonicalTag(this.host.locale);
    if (!tag) return shown;
    const supported = supportedLocale(tag);
    // A language without strings of ours is one the host supplies through `strings`: the widget's words are
    // in it. One of ours counts once its strings have loaded; until then the words are English.
    return supported === undefined || supported === shown ? tag : shown;
  }

  /** A string with its `{placeholders}` filled in. */
  term(key: InterviewStringKey, values: Record<string, string | number> = {}): string {
    const template = this.host.strings?.[key] ?? tables[this.lang()]?.[key] ?? en[key];
    return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
      name in values ? this.format(values[name]!) : whole,
    );
  }

  /** The plural form of `{base}One` / `{base}Other` for `count`, with `{count}` filled in. */
  plural(base: 'questions' | 'minutes', count: number): string {
    // The rules of the language shown, so that English shown while French loads says "0 questions".
    const form = new Intl.PluralRules(this.lang()).select(count) === 'one' ? 'One' : 'Other';
    return this.term(`${base}${form}`, { count });
  }

  /** The language asked for: the host's `locale`, else the browser's, else English. */
  private wanted(): InterviewLocale {
    return supportedLocale(this.host.locale) ?? supportedLocale(globalThis.navigator?.language) ?? 'en';
  }

  private format(value: string | number): string {
    return typeof value === 'number' ? new Intl.NumberFormat(this.lang()).format(value) : value;
  }
}

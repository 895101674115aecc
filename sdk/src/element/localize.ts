import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { de } from './strings/de.ts';
import { en, type InterviewStringKey, type InterviewStrings } from './strings/en.ts';
import { es } from './strings/es.ts';
import { fr } from './strings/fr.ts';
import { pt } from './strings/pt.ts';

const tables = { en, es, fr, de, pt } satisfies Record<string, InterviewStrings>;

export type InterviewLocale = keyof typeof tables;

/** The host a `LocalizeController` serves: its `locale` attribute and its `strings` overrides. */
export interface LocalizedHost extends ReactiveControllerHost, HTMLElement {
  locale: string | undefined;
  strings: Partial<InterviewStrings> | undefined;
}

/** The best supported locale for a BCP 47 tag (`pt-BR` → `pt`), or `undefined` when none fits. */
export function supportedLocale(tag: string | null | undefined): InterviewLocale | undefined {
  const language = tag?.trim().toLowerCase().split(/[-_]/)[0];
  return language && language in tables ? (language as InterviewLocale) : undefined;
}

/**
 * Localization for one element: which language to show (its `locale`, else the browser's, else English),
 * which direction to lay out in, and the strings, with the host's `strings` overrides first. Direction
 * follows the `dir` attribute of the element or its nearest ancestor, so an Arabic or Hebrew page lays
 * the widget out right to left even in a language the widget has no strings for; a change of `dir` or
 * `lang` on the document re-renders the host.
 */
export class LocalizeController implements ReactiveController {
  private observer: MutationObserver | null = null;

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

  /** The locale the strings come from. */
  lang(): InterviewLocale {
    return supportedLocale(this.host.locale) ?? supportedLocale(globalThis.navigator?.language) ?? 'en';
  }

  /** The layout direction: the host's `dir`, its nearest ancestor's, or the document's. */
  dir(): 'ltr' | 'rtl' {
    const own = this.host.getAttribute('dir');
    const inherited = own && own !== 'auto' ? own : this.host.closest('[dir]')?.getAttribute('dir');
    const dir = inherited ?? document.documentElement.dir;
    return dir?.toLowerCase() === 'rtl' ? 'rtl' : 'ltr';
  }

  /** A string with its `{placeholders}` filled in. */
  term(key: InterviewStringKey, values: Record<string, string | number> = {}): string {
    const template = this.host.strings?.[key] ?? tables[this.lang()][key] ?? en[key];
    return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
      name in values ? this.format(values[name]!) : whole,
    );
  }

  /** The plural form of `{base}One` / `{base}Other` for `count`, with `{count}` filled in. */
  plural(base: 'questions' | 'minutes', count: number): string {
    const form = new Intl.PluralRules(this.lang()).select(count) === 'one' ? 'One' : 'Other';
    return this.term(`${base}${form}`, { count });
  }

  private format(value: string | number): string {
    return typeof value === 'number' ? new Intl.NumberFormat(this.lang()).format(value) : value;
  }
}

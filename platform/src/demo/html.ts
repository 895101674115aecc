/**
 * Server-rendered HTML for the demo ATS. Every interpolation is escaped unless it is itself `Html` made by
 * this module, so text from the API (candidate names, answers, scorecards) can never become markup.
 */
export class Html {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

const entities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => entities[c]!);
}

/** What may be interpolated: text (escaped), numbers, `Html`, lists of these, and nothing (null, false). */
export type Interpolation = Html | string | number | boolean | null | undefined | readonly Interpolation[];

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false || value === true) return '';
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/** The tagged template: the literal parts are trusted markup, every `${…}` is escaped. */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new Html(out);
}

/** A link target from the API (a presigned recording URL): only http(s), never `javascript:` or `data:`. */
export function safeUrl(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}

/** A path of the demo with ids in it, each encoded: `demoPath('interviews', id)` is `/demo/interviews/int_…`. */
export function demoPath(...segments: string[]): string {
  return ['/demo', ...segments.map(encodeURIComponent)].join('/');
}

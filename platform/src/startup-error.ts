/**
 * A start-up failure a newcomer can fix from the environment: it names the setting to look at, so `pnpm
 * start` can say so in one line instead of a stack trace.
 */
export class StartupError extends Error {
  override name = 'StartupError';
  /** The environment variable to look at (`PORT`, `DATABASE_URL`, `REDIS_URL`...). */
  readonly setting: string;

  constructor(setting: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.setting = setting;
  }
}

/** Codes of a server that could not be reached or would not let us in: the setting naming it is at fault. */
const reachCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ECONNRESET',
  // PostgreSQL: wrong password, no such role, no such database.
  '28P01',
  '28000',
  '3D000',
]);

export function isReachProblem(error: unknown): boolean {
  return causes(error).some((e) => reachCodes.has(String((e as NodeJS.ErrnoException).code)));
}

function causes(error: unknown): unknown[] {
  const found: unknown[] = [];
  let current: unknown = error;
  while (current instanceof Error && !found.includes(current) && found.length < 8) {
    found.push(current);
    current = current instanceof AggregateError ? current.errors[0] : current.cause;
  }
  return found;
}

/** What went wrong at the bottom of `error`, in a few words: an errno code where there is one. */
export function reasonOf(error: unknown): string {
  const chain = causes(error);
  for (const e of chain) {
    const { code } = e as NodeJS.ErrnoException;
    if (code === 'ECONNREFUSED') return 'connection refused';
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host name not found';
    if (code === 'ETIMEDOUT') return 'timed out';
  }
  const last = chain.at(-1);
  return last instanceof Error ? last.message : String(error);
}

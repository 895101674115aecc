/**
 * How a server bench ends. SIGINT or SIGTERM does not kill it: it would leave its servers running and its
 * database behind. Instead the bench is marked interrupted; its steps check that and throw, its clean-up
 * runs as for any error, and it exits 130.
 */

let asked = false;

/** Whether SIGINT or SIGTERM has asked the bench to stop. */
export function interrupted(): boolean {
  return asked;
}

export function throwIfInterrupted(): void {
  if (asked) throw new Error('Interrupted');
}

export interface RunOptions {
  /** Printed once an interrupted bench has cleaned up: what it stopped and dropped. */
  interruptedMessage: string;
  /** Cuts short what would otherwise run on long after the signal (a load generator, open streams). */
  onInterrupt?: () => void;
  /** What to print of an error; the error itself unless told. */
  showError?: (error: unknown) => unknown;
}

/** Runs `main` and exits with its code: 130 when interrupted, 1 when it threw. */
export function runMain(main: () => Promise<number>, options: RunOptions): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      asked = true;
      options.onInterrupt?.();
    });
  }
  main().then(
    (code) => {
      process.exitCode = asked ? 130 : code;
    },
    (error: unknown) => {
      if (asked) {
        console.error(options.interruptedMessage);
        process.exitCode = 130;
        return;
      }
      console.error(options.showError ? options.showError(error) : error);
      process.exitCode = 1;
    },
  );
}

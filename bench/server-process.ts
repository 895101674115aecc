import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * The servers under test run in child processes, so the load generator never shares an event loop with
 * them. A child announces itself with one line on stdout, `{"url":"http://127.0.0.1:PORT"}`, and stops on
 * SIGTERM, SIGINT or when its stdin closes (the parent died).
 */

const announcePrefix = '{"url":';

/** Child side: prints where it listens, then waits to be told to stop and runs `close` once. */
export function announceAndServe(url: string, close: () => Promise<void>): void {
  let closing = false;
  const stop = (): void => {
    if (closing) return;
    closing = true;
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdin.on('end', stop);
  process.stdin.resume();
  process.stdout.write(`${JSON.stringify({ url })}\n`);
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Asks the child to stop and waits for it (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Parent side: starts `node [nodeArgs] script` with exactly `env`, and waits for the URL it announces. With
 * `ipc`, the child also gets a message channel (`child.send`, `process.on('message')`).
 */
export async function spawnServer(
  name: string,
  script: string,
  env: Record<string, string>,
  options: { nodeArgs?: string[]; startTimeoutMs?: number; ipc?: boolean } = {},
): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script], {
    env,
    stdio: options.ipc ? ['pipe', 'pipe', 'inherit', 'ipc'] : ['pipe', 'pipe', 'inherit'],
    // Out of the terminal's process group, so that ^C reaches only the bench, which then stops its
    // children itself: one that stopped on its own first would fail the bench's next request to it before
    // the clean-up had run (a crash, and the bench database left behind). Should the bench die, the child
    // still stops, as its stdin closes.
    detached: true,
  });
  const stop = async (graceMs = 10_000): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited(child);
    clearTimeout(timer);
  };
  const lines = createInterface({ input: child.stdout! });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`${name} did not announce its URL within ${options.startTimeoutMs ?? 60_000} ms`)),
        options.startTimeoutMs ?? 60_000,
      );
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited before announcing its URL (code ${code}, signal ${signal})`));
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      lines.on('line', (line) => {
        if (!line.startsWith(announcePrefix)) {
          process.stderr.write(`[${name}] ${line}\n`);
          return;
        }
        clearTimeout(timer);
        resolve((JSON.parse(line) as { url: string }).url);
      });
    });
    const host = new URL(url).hostname;
    if (host !== '127.0.0.1') throw new Error(`${name} listens on ${host}; the bench only targets 127.0.0.1`);
    return { url, child, stop };
  } catch (error) {
    await stop(2_000);
    throw error;
  }
}

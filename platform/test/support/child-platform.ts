import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

/** A port nothing listens on right now: bound on port 0, read, released. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface ChildPlatform {
  url: string;
  child: ChildProcess;
  /** What the process wrote to stderr so far, for failure messages. */
  stderr(): string;
  /** SIGKILL: no shutdown hook runs, open transactions and connections simply vanish. */
  kill(): Promise<void>;
  /** SIGTERM, as a deploy sends: resolves with the exit code once the process has shut down. */
  stop(): Promise<number | null>;
}

/**
 * Runs the platform as `pnpm start` does (`node src/main.ts`) in a child process, with only `env` (and
 * PATH) in its environment, and resolves once GET /readyz answers 200 on `PORT` (`/healthz` answers 200 from
 * the moment it listens, while it still migrates).
 */
export async function startChildPlatform(
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<ChildPlatform> {
  const port = env.PORT;
  if (!port || port === '0') throw new Error('give the child a fixed PORT: 0 would hide where it listens');
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [main], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = once(child, 'exit');
  const platform: ChildPlatform = {
    url,
    child,
    stderr: () => stderr,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      return child.exitCode;
    },
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `the platform exited (${child.exitCode ?? child.signalCode}) before it was healthy: ${stderr}`,
      );
    }
    const healthy = await fetch(`${url}/readyz`)
      .then((res) => res.status === 200)
      .catch(() => false);
    if (healthy) return platform;
    if (Date.now() > deadline) {
      await platform.kill();
      throw new Error(`the platform was not healthy within ${timeoutMs} ms: ${stderr}`);
    }
    await sleep(50);
  }
}

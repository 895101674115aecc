import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

export interface ChildWorker {
  child: ChildProcess;
  stderr(): string;
  /** The `worker started` log line, parsed. */
  started: Record<string, unknown>;
  /** SIGKILL: the attempt in flight is never recorded, its claim simply stays until it lapses. */
  kill(): Promise<void>;
  /** SIGTERM: the worker finishes its attempts in flight, then exits. */
  stop(): Promise<void>;
}

/** Runs `viva worker` (delivery and scoring workers on their own) in a child process, with only `env` and PATH. */
export async function startChildWorker(env: Record<string, string>): Promise<ChildWorker> {
  const child = spawn(process.execPath, [cli, 'worker'], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  const exited = once(child, 'exit');
  const deadline = Date.now() + 30_000;
  while (!stdout.includes('"msg":"worker started"')) {
    if (child.exitCode !== null) throw new Error(`viva worker exited (${child.exitCode}): ${stderr}`);
    if (Date.now() > deadline) throw new Error(`viva worker did not start: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const startedLine = stdout.split('\n').find((line) => line.includes('"msg":"worker started"'))!;
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    stderr: () => stderr,
    started: JSON.parse(startedLine) as Record<string, unknown>,
    async kill() {
      if (alive()) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (alive()) child.kill('SIGTERM');
      await exited;
    },
  };
}

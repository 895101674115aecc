import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface S3Server {
  /** Use with `forcePathStyle: true`. */
  endpoint: string;
  bucket: string;
  /** s3rver's built-in account: it checks signatures when a request carries one, but lets unsigned ones in. */
  accessKeyId: string;
  secretAccessKey: string;
  stop(): Promise<void>;
}

// Runs in the child. It exits when its stdin closes, so a test run that dies leaves no server behind.
const serverScript = `
const S3rver = require(process.argv[1]);
const [, , directory, bucket] = process.argv;
new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true, configureBuckets: [{ name: bucket, configs: [] }] })
  .run()
  .then(({ port }) => console.log(port), (error) => { console.error(error); process.exit(1); });
process.stdin.on('end', () => process.exit(0)).resume();
`;

/**
 * A real S3 API (s3rver) on a free local port, backed by a fresh temporary directory, with one empty bucket.
 * It runs in its own process because its listing pages are continued with DES tokens, which OpenSSL 3
 * refuses without the legacy provider: in-process, any listing of more than 1000 keys fails with a 500.
 */
export async function startS3Server(): Promise<S3Server> {
  const bucket = 'viva-test';
  // s3rver fails on its first write unless its directory already exists.
  const directory = await mkdtemp(join(tmpdir(), 'viva-s3rver-'));
  const modulePath = createRequire(import.meta.url).resolve('s3rver');
  const child = spawn(
    process.execPath,
    ['--openssl-legacy-provider', '-e', serverScript, modulePath, directory, bucket],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const exited = once(child, 'exit');
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (line) => resolve(Number(line)));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`s3rver exited with code ${code} before listening.`)));
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    async stop() {
      child.stdin.end();
      await exited;
      await rm(directory, { recursive: true, force: true });
    },
  };
}

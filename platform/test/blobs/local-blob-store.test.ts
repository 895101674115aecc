import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBlobStore } from '../../src/blobs/local-blob-store.ts';
import { describeBlobStoreContract } from './blob-store-contract.ts';
import { type LocalBlobServer, startLocalBlobServer } from './local-blob-server.ts';

describeBlobStoreContract('LocalBlobStore', async () => {
  const server = await startLocalBlobServer();
  return { store: server.store, stop: () => server.stop() };
});

describe('LocalBlobStore', () => {
  let server: LocalBlobServer;
  let store: LocalBlobStore;
  beforeAll(async () => {
    server = await startLocalBlobServer();
    store = server.store;
  });
  afterAll(() => server?.stop());

  it('leaves no temporary files behind a write', async () => {
    await store.put('ten_1/test/cand_1/resume/r', Buffer.from('x'), 'text/plain');
    await store.put('ten_1/test/cand_1/resume/r', Buffer.from('y'), 'text/plain');
    expect(await readdir(join(server.dir, 'ten_1/test/cand_1/resume'))).toEqual(['r.blob', 'r.meta.json']);
  });

  it('erases half-written uploads and empty folders with a prefix', async () => {
    await store.put('ten_2/test/cand_1/resume/r', Buffer.from('x'), 'text/plain');
    await store.put('ten_2/test/cand_2/resume/r', Buffer.from('x'), 'text/plain');
    // What a crash between write and rename leaves behind still holds the candidate's data.
    await writeFile(join(server.dir, 'ten_2/test/cand_1/resume/s.blob.Ab-9_x.tmp'), 'partial');

    await store.deletePrefix('ten_2/test/cand_1/');

    expect(await readdir(join(server.dir, 'ten_2/test'))).toEqual(['cand_2']);
  });

  it('refuses a folder named like its own files', async () => {
    await expect(store.put('ten_1/test/x.blob/y', Buffer.from('x'), 'text/plain')).rejects.toThrow(
      /Unsafe blob key/,
    );
  });

  it('rejects a signing secret too short to be safe', () => {
    expect(
      () =>
        new LocalBlobStore({
          dir: server.dir,
          publicBaseUrl: server.baseUrl,
          signingSecret: Buffer.alloc(8),
        }),
    ).toThrow(/32 bytes/);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3BlobStore } from '../../src/blobs/s3-blob-store.ts';
import { type S3Server, startS3Server } from '../support/s3-server.ts';
import { describeBlobStoreContract } from './blob-store-contract.ts';

function storeOn(server: S3Server, bucket = server.bucket): S3BlobStore {
  return new S3BlobStore({
    endpoint: server.endpoint,
    region: 'us-east-1',
    bucket,
    accessKeyId: server.accessKeyId,
    secretAccessKey: server.secretAccessKey,
    forcePathStyle: true,
  });
}

describeBlobStoreContract('S3BlobStore', async () => {
  const server = await startS3Server();
  return { store: storeOn(server), stop: () => server.stop() };
});

describe('S3BlobStore', () => {
  let server: S3Server;
  beforeAll(async () => {
    server = await startS3Server();
  });
  afterAll(() => server?.stop());

  it('fails its readiness check when the bucket is missing', async () => {
    await expect(storeOn(server, 'viva-no-such-bucket').check()).rejects.toThrow();
  });

  it('deletes a prefix holding more than one listing page', async () => {
    const store = storeOn(server);
    const keys = Array.from({ length: 1005 }, (_, i) => `ten_1/test/cand_1/recordings/${i}`);
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(keys.slice(i, i + 50).map((key) => store.put(key, Buffer.from('x'), 'text/plain')));
    }
    await store.put('ten_1/test/cand_2/resume/r', Buffer.from('kept'), 'text/plain');

    await store.deletePrefix('ten_1/test/cand_1/');

    for (const key of [keys[0], keys[999], keys[1000], keys[1004]]) {
      expect(await store.get(key!), key).toBeNull();
    }
    expect(await store.get('ten_1/test/cand_2/resume/r')).not.toBeNull();
  });
});

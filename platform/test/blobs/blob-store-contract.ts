import { randomBytes } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlobStore } from '../../src/blobs/blob-store.ts';

export interface ContractSubject {
  store: BlobStore;
  stop(): Promise<void>;
}

/** What every BlobStore must do, so the local store can stand in for S3 without surprises. */
export function describeBlobStoreContract(name: string, start: () => Promise<ContractSubject>): void {
  describe(`${name} (BlobStore contract)`, () => {
    let subject: ContractSubject;
    let store: BlobStore;
    beforeAll(async () => {
      subject = await start();
      store = subject.store;
    });
    afterAll(() => subject?.stop());

    /** A fresh tenant folder per test, so tests never see each other's blobs. */
    const tenant = () => `ten_${randomBytes(6).toString('hex')}/test`;

    async function read(key: string): Promise<{ bytes: Buffer; contentType: string; size: number } | null> {
      const blob = await store.get(key);
      return blob && { bytes: await buffer(blob.body), contentType: blob.contentType, size: blob.size };
    }

    it('returns exactly the bytes and content type it was given', async () => {
      const key = `${tenant()}/cand_1/resume/r1`;
      const bytes = Buffer.concat([
        Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
        randomBytes(300_000),
      ]);
      await store.put(key, bytes, 'application/pdf');

      const stored = await read(key);
      expect(stored?.contentType).toBe('application/pdf');
      expect(stored?.size).toBe(bytes.length);
      expect(stored?.bytes.equals(bytes)).toBe(true);
    });

    it('stores an empty blob', async () => {
      const key = `${tenant()}/cand_1/notes/empty`;
      await store.put(key, Buffer.alloc(0), 'text/plain');
      expect(await read(key)).toEqual({ bytes: Buffer.alloc(0), contentType: 'text/plain', size: 0 });
    });

    it('overwrites bytes and content type', async () => {
      const key = `${tenant()}/cand_1/resume/r1`;
      await store.put(key, Buffer.from('first version, longer'), 'application/pdf');
      await store.put(key, Buffer.from('second'), 'text/plain');
      expect(await read(key)).toEqual({ bytes: Buffer.from('second'), contentType: 'text/plain', size: 6 });
    });

    it('answers null for a blob that was never stored', async () => {
      expect(await store.get(`${tenant()}/cand_1/resume/nothing`)).toBeNull();
    });

    it('deletes idempotently', async () => {
      const key = `${tenant()}/cand_1/resume/r1`;
      await store.put(key, Buffer.from('x'), 'text/plain');
      await store.delete(key);
      expect(await store.get(key)).toBeNull();
      await store.delete(key);
      await store.delete(`${tenant()}/never/stored`);
    });

    it('lets one key be the folder of another', async () => {
      const folder = `${tenant()}/cand_1/resume`;
      await store.put(folder, Buffer.from('outer'), 'text/plain');
      await store.put(`${folder}/inner`, Buffer.from('inner'), 'text/plain');
      expect((await read(folder))?.bytes.toString()).toBe('outer');
      expect((await read(`${folder}/inner`))?.bytes.toString()).toBe('inner');
    });

    it('deletes a prefix and nothing beside it', async () => {
      const t = tenant();
      const erased = [`${t}/cand_1/resume/a`, `${t}/cand_1/recordings/turn_1/b`];
      const kept = [`${t}/cand_10/resume/c`, `${t}/cand_2/resume/d`, `${t}/cand_1`];
      for (const key of [...erased, ...kept]) await store.put(key, Buffer.from(key), 'text/plain');

      await store.deletePrefix(`${t}/cand_1/`);
      await store.deletePrefix(`${t}/cand_1/`);

      for (const key of erased) expect(await store.get(key), key).toBeNull();
      for (const key of kept) expect((await read(key))?.bytes.toString(), key).toBe(key);
    });

    it('deletes by a prefix that ends inside a segment, as S3 does', async () => {
      const t = tenant();
      await store.put(`${t}/cand_1/a`, Buffer.from('1'), 'text/plain');
      await store.put(`${t}/cand_10/b`, Buffer.from('10'), 'text/plain');
      await store.put(`${t}/cand_2/c`, Buffer.from('2'), 'text/plain');

      await store.deletePrefix(`${t}/cand_1`);

      expect(await store.get(`${t}/cand_1/a`)).toBeNull();
      expect(await store.get(`${t}/cand_10/b`)).toBeNull();
      expect((await read(`${t}/cand_2/c`))?.bytes.toString()).toBe('2');
    });

    it('deletes a prefix with nothing under it', async () => {
      await store.deletePrefix(`${tenant()}/cand_1/`);
    });

    it('signs a URL that downloads the bytes with no other credentials', async () => {
      const key = `${tenant()}/cand_1/resume/r1`;
      const bytes = randomBytes(10_000);
      await store.put(key, bytes, 'application/pdf');

      const response = await fetch(await store.signedUrl(key, { expiresInSeconds: 60 }));
      const body = Buffer.from(await response.arrayBuffer());
      expect(response.status, body.toString()).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/pdf');
      expect(body.equals(bytes)).toBe(true);
    });

    it('signs a URL that names the download', async () => {
      const key = `${tenant()}/cand_1/resume/r1`;
      await store.put(key, Buffer.from('%PDF-1.7'), 'application/pdf');

      const url = await store.signedUrl(key, { expiresInSeconds: 60, downloadName: 'Zoë "CV" 2026.pdf' });
      const response = await fetch(url);
      expect(response.status, await response.clone().text()).toBe(200);
      expect(response.headers.get('content-disposition')).toBe(
        `attachment; filename="Zo_ _CV_ 2026.pdf"; filename*=UTF-8''Zo%C3%AB%20%22CV%22%202026.pdf`,
      );
      expect(await response.text()).toBe('%PDF-1.7');
    });

    it('refuses unsafe keys', async () => {
      const unsafe = [
        '',
        '/ten_1/x',
        'ten_1/../x',
        'ten_1/..',
        'ten_1\\x',
        'ten_1/x\0',
        'ten_1//x',
        'ten_1/./x',
        'x/',
      ];
      for (const key of unsafe) {
        await expect(store.put(key, Buffer.from('x'), 'text/plain'), key).rejects.toThrow(/Unsafe blob key/);
        await expect(store.get(key), key).rejects.toThrow(/Unsafe blob key/);
        await expect(store.delete(key), key).rejects.toThrow(/Unsafe blob key/);
        await expect(store.signedUrl(key, { expiresInSeconds: 60 }), key).rejects.toThrow(/Unsafe blob key/);
      }
      for (const prefix of ['', '/', '/ten_1/', 'ten_1/../', 'ten_1//']) {
        await expect(store.deletePrefix(prefix), prefix).rejects.toThrow(/Unsafe blob prefix/);
      }
    });

    it('refuses a signed URL that never expires', async () => {
      await expect(store.signedUrl(`${tenant()}/x`, { expiresInSeconds: 0 })).rejects.toThrow(/positive/);
    });

    it('reports itself reachable', async () => {
      await store.check();
    });
  });
}

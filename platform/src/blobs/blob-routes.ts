import Router from '@koa/router';
import { ApiError } from '../http/api-error.ts';
import { contentDisposition } from './content-disposition.ts';
import { type LocalBlobStore, SignatureError } from './local-blob-store.ts';

/**
 * Serves the signed URLs of a LocalBlobStore. With S3 (store null) the route still exists, as the spec
 * says, but nothing is behind it: S3 serves its own signed URLs.
 */
export function blobRoutes(store: LocalBlobStore | null): Router {
  const router = new Router();

  router.get('downloadBlob', '/blobs/:key', async function downloadBlob(ctx) {
    if (!store)
      throw new ApiError('resource_missing', 'Files are served by the configured S3 store, not here.');
    const { expires, signature, name } = ctx.query;
    let blob: Awaited<ReturnType<LocalBlobStore['openSigned']>>;
    try {
      // A Range is honoured unless it comes with If-Range: the file has no validator to compare it with.
      const range = ctx.get('if-range') ? undefined : ctx.get('range') || undefined;
      blob = await store.openSigned(
        ctx.params.key ?? '',
        single(expires),
        single(signature),
        single(name),
        range,
      );
    } catch (error) {
      if (error instanceof SignatureError) throw new ApiError('insufficient_scope', error.message);
      throw error;
    }
    // Body before headers: assigning a stream lets Koa drop Content-Length and pick its own type.
    ctx.body = blob.body;
    const { range } = blob;
    if (range) {
      // Part of the file, so a player can seek in a recording (Safari plays media only from servers that do).
      ctx.status = 206;
      ctx.set('Content-Range', `bytes ${range.start}-${range.end}/${blob.size}`);
    }
    ctx.set({
      'Content-Type': blob.contentType,
      'Content-Length': String(range ? range.end - range.start + 1 : blob.size),
      'Accept-Ranges': 'bytes',
      'Cache-Control': 'private, max-age=60',
      'Content-Disposition': contentDisposition(blob.downloadName),
      'X-Content-Type-Options': 'nosniff',
      // The type was chosen by whoever uploaded the file: an HTML "résumé" opened inline from the API's
      // origin must not run scripts there.
      'Content-Security-Policy': "default-src 'none'; sandbox",
    });
  });

  return router;
}

function single(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

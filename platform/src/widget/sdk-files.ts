import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import Router from '@koa/router';
import { ApiError } from '../http/api-error.ts';

const contentTypes: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** Vite names the chunks it splits off `name-<8 hash characters>.js`: a new build, a new name. */
const hashedName = /-[A-Za-z0-9_-]{8}\.js(\.map)?$/;

/** Each segment a plain file name: no `..`, no hidden files, no backslashes or encoded separators. */
const safeSegment = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/**
 * `GET /sdk/{file}`: the `<ai-interview>` bundle for the pages the platform serves (the candidate's join
 * page, the demo's career page), and for ATS pages that would rather load it from the platform than from a
 * CDN of their own. Not part of the API contract.
 */
export function sdkFilesRouter(dir: string): Router {
  const root = resolve(dir);
  const router = new Router();
  router.get('/sdk/*file', async function sdkFile(ctx) {
    const file = ctx.params.file ?? '';
    const segments = file.split('/');
    const path = resolve(root, ...segments);
    const type = contentTypes[extname(file)];
    if (!type || !segments.every((s) => safeSegment.test(s)) || !path.startsWith(root + sep)) {
      throw new ApiError('route_not_found', `No SDK file ${JSON.stringify(file)}.`);
    }
    const found = await stat(path).catch(() => null);
    if (!found?.isFile()) {
      const built = await stat(resolve(root, 'ai-interview.js')).catch(() => null);
      throw new ApiError(
        'resource_missing',
        built
          ? `The SDK build has no file ${JSON.stringify(file)}.`
          : 'The <ai-interview> widget is not built: run pnpm --filter @viva/sdk build:cdn',
      );
    }
    ctx.set(
      'Cache-Control',
      // A hashed chunk never changes; the entry point keeps its name across builds, so it is checked often.
      hashedName.test(file) ? 'public, max-age=31536000, immutable' : 'public, max-age=60, must-revalidate',
    );
    // An ATS page on any origin may load the widget from here: module scripts are fetched with CORS.
    ctx.set('Access-Control-Allow-Origin', '*');
    ctx.lastModified = found.mtime;
    ctx.etag = `W/"${found.size.toString(16)}-${Math.trunc(found.mtimeMs).toString(16)}"`;
    ctx.status = 200;
    if (ctx.fresh) {
      ctx.status = 304;
      return;
    }
    ctx.type = type;
    ctx.length = found.size;
    ctx.body = createReadStream(path);
  });
  return router;
}

/** Whether `dir` holds the widget's script-tag entry, `ai-interview.js`. */
export async function widgetBuilt(dir: string): Promise<boolean> {
  const entry = await stat(resolve(dir, 'ai-interview.js')).catch(() => null);
  return entry?.isFile() ?? false;
}

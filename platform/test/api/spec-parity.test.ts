import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routers } from '../../src/app.ts';
import { loadSpec, specRoutes, toRouterPath } from '../../src/openapi/spec.ts';
import { startTestPlatform, type TestPlatform } from '../support/harness.ts';

type Layer = { path: string; methods: string[] };

let test: TestPlatform;

beforeAll(async () => {
  test = await startTestPlatform();
});
afterAll(async () => test?.stop());

/** Every route the running app serves, read from its routers' own tables. */
function servedRoutes(): Set<string> {
  const served = new Set<string>();
  for (const router of routers(test.platform.services, loadSpec())) {
    for (const layer of router.stack as Layer[]) {
      for (const method of layer.methods) if (method !== 'HEAD') served.add(`${method} ${layer.path}`);
    }
  }
  return served;
}

describe('the router and openapi.yaml', () => {
  it('serve exactly the same operations', () => {
    const documented = new Set(
      specRoutes(loadSpec()).map((r) => `${r.method.toUpperCase()} ${toRouterPath(r.path)}`),
    );
    const served = servedRoutes();
    expect(
      [...served].filter((r) => !documented.has(r)),
      'served but not in the spec',
    ).toEqual([]);
    expect(
      [...documented].filter((r) => !served.has(r)),
      'in the spec but not served',
    ).toEqual([]);
  });
});

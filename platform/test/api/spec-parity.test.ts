import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routers } from '../../src/app.ts';
import { deref, loadSpec, type SpecParameter, specRoutes, toRouterPath } from '../../src/openapi/spec.ts';
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

  it('document Idempotency-Key on every /v1 POST, as the router honours it on all of them', () => {
    const spec = loadSpec();
    const undocumented = specRoutes(spec)
      .filter((r) => r.method === 'post' && r.path.startsWith('/v1/'))
      .filter(
        (r) =>
          !(r.operation.parameters ?? []).some((p) => {
            const parameter = deref<SpecParameter>(spec, p);
            return parameter.in === 'header' && parameter.name === 'Idempotency-Key';
          }),
      )
      .map((r) => r.operation.operationId);
    expect(undocumented).toEqual([]);
  });
});

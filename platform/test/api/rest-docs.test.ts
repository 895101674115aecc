import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadSpec, specRoutes } from '../../src/openapi/spec.ts';

const restDocs = readFileSync(new URL('../../../docs/rest-api.md', import.meta.url), 'utf8');

/**
 * The operations docs/rest-api.md's Endpoints table lists, as `METHOD /path`. A cell may list several
 * paths, as in `GET /healthz`, `/readyz`: a path without a method takes the one before it.
 */
function documentedOperations(): Set<string> {
  const section = restDocs.split(/^## Endpoints$/m)[1]?.split(/^## /m)[0] ?? '';
  const documented = new Set<string>();
  for (const row of section.split('\n').filter((line) => line.startsWith('| `'))) {
    const cell = row.split('|')[1] ?? '';
    let method = '';
    for (const [, code] of cell.matchAll(/`([^`]+)`/g)) {
      const [first, second] = code!.split(' ');
      if (second !== undefined) method = first!;
      documented.add(`${method} ${second ?? first}`);
    }
  }
  return documented;
}

describe('docs/rest-api.md', () => {
  it('lists every operation of openapi.yaml in its Endpoints table', () => {
    const documented = documentedOperations();
    const missing = specRoutes(loadSpec())
      .map((route) => `${route.method.toUpperCase()} ${route.path}`)
      .filter((operation) => !documented.has(operation));
    expect(missing, 'in openapi.yaml but not in the Endpoints table of docs/rest-api.md').toEqual([]);
  });

  it('lists nothing in its Endpoints table that openapi.yaml lacks', () => {
    const specified = new Set(
      specRoutes(loadSpec()).map((route) => `${route.method.toUpperCase()} ${route.path}`),
    );
    const extra = [...documentedOperations()].filter((operation) => !specified.has(operation));
    expect(extra, 'in the Endpoints table of docs/rest-api.md but not in openapi.yaml').toEqual([]);
  });
});

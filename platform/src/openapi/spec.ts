import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parse } from 'yaml';

/** The parts of an OpenAPI 3.1 document the platform reads. */
export interface SpecParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: object;
}

export interface SpecOperation {
  operationId: string;
  parameters?: (SpecParameter | { $ref: string })[];
  requestBody?: { required?: boolean; content: Record<string, { schema?: object }> } | { $ref: string };
  security?: Record<string, string[]>[];
}

export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, SpecOperation | unknown>>;
  components?: Record<string, Record<string, unknown>>;
}

export const httpMethods = ['get', 'post', 'put', 'patch', 'delete'] as const;
export type HttpMethod = (typeof httpMethods)[number];

/** One operation of the spec with where it lives. */
export interface SpecRoute {
  method: HttpMethod;
  /** As written in the spec: `/v1/jobs/{id}`. */
  path: string;
  operation: SpecOperation;
}

const require = createRequire(import.meta.url);

/** The contract, read from the `@viva/openapi` package: the same file the docs and generated types come from. */
export function loadSpec(): OpenApiDocument {
  const file = require.resolve('@viva/openapi/openapi.yaml');
  return parse(readFileSync(file, 'utf8')) as OpenApiDocument;
}

export function specRoutes(spec: OpenApiDocument): SpecRoute[] {
  const routes: SpecRoute[] = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of httpMethods) {
      const operation = item[method] as SpecOperation | undefined;
      if (operation) routes.push({ method, path, operation });
    }
  }
  return routes;
}

/** `/v1/jobs/{id}` in the spec is `/v1/jobs/:id` for @koa/router. */
export function toRouterPath(specPath: string): string {
  return specPath.replace(/\{([^}]+)\}/g, ':$1');
}

/** Follows a local `#/components/...` reference. */
export function deref<T>(spec: OpenApiDocument, value: T | { $ref: string }): T {
  if (typeof value !== 'object' || value === null || !('$ref' in value)) return value as T;
  const segments = value.$ref.replace(/^#\//, '').split('/');
  let node: unknown = spec;
  for (const segment of segments)
    node = (node as Record<string, unknown>)[segment.replace(/~1/g, '/').replace(/~0/g, '~')];
  return node as T;
}

import type { EntityManager } from '@mikro-orm/postgresql';
import type { operations } from '@viva/openapi/types';
import type { Context } from 'koa';
import type { Services } from '../services.ts';

/** Every operation the spec names; the router is built from this list, so code and spec cannot drift. */
export type OperationId = keyof operations;

type JsonContent<T> = T extends { content: { 'application/json': infer Body } } ? Body : never;
type Parameters<K extends OperationId, Where extends string> = operations[K]['parameters'] extends {
  [P in Where]?: infer Value;
}
  ? [Value] extends [never | undefined]
    ? Record<string, never>
    : NonNullable<Value>
  : Record<string, never>;

export type PathParams<K extends OperationId> = Parameters<K, 'path'>;
export type QueryParams<K extends OperationId> = Parameters<K, 'query'>;
export type RequestBody<K extends OperationId> = operations[K] extends { requestBody?: infer Body }
  ? JsonContent<NonNullable<Body>>
  : undefined;
type Responses<K extends OperationId> = operations[K]['responses'];
export type SuccessBody<K extends OperationId> =
  | JsonContent<Responses<K> extends { 200: infer R } ? R : never>
  | JsonContent<Responses<K> extends { 201: infer R } ? R : never>
  | JsonContent<Responses<K> extends { 202: infer R } ? R : never>;

/** Who is calling: resolved from the secret key before any handler runs. */
export interface Caller {
  tenantId: string;
  livemode: boolean;
  keyId: string;
  scopes: string[];
}

/** A widget's session: set for the /v1/session operations, whose token is bound to one interview. */
export interface SessionCaller {
  interviewId: string;
}

/** What a handler gets: validated input, the caller, a request-scoped unit of work, the services. */
export interface OperationInput<K extends OperationId> {
  params: PathParams<K>;
  query: QueryParams<K>;
  body: RequestBody<K>;
  caller: Caller;
  session: SessionCaller | null;
  em: EntityManager;
  services: Services;
  /** The raw request body, for operations that take bytes rather than JSON. */
  raw: { contentType: string; bytes: Buffer } | null;
}

export type OperationResult<K extends OperationId> =
  | { status: 200 | 201 | 202; body: SuccessBody<K> }
  /** For responses that are not one JSON document (an event stream): the handler writes the response. */
  | { stream: (ctx: Context) => Promise<void> };

export interface OperationOptions {
  /** For operations that take bytes (uploads): the largest body accepted. JSON bodies use the global limit. */
  maxRawBytes?: number;
  /**
   * The response carries a credential shown once (a secret, a token): an idempotent replay of it goes only to
   * the API key that made the request, and is stored sealed with that key (see `sealed-replay.ts`).
   */
  returnsCredential?: boolean;
}

export interface Operation<K extends OperationId = OperationId> extends OperationOptions {
  id: K;
  handle(input: OperationInput<K>): Promise<OperationResult<K>>;
}

/** A handler bound to a spec operation. The spec already validated its input; it calls the domain and shapes. */
export function operation<K extends OperationId>(
  id: K,
  options: OperationOptions,
  handle: (input: OperationInput<K>) => Promise<OperationResult<K>>,
): Operation<K> {
  return { id, ...options, handle };
}

/** Any one of the operations: a union, so a list of them keeps each handler's own types. */
export type AnyOperation = { [K in OperationId]: Operation<K> }[OperationId];

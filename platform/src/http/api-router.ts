import { createHash } from 'node:crypto';
import Router from '@koa/router';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Context } from 'koa';
import { bearerSecret } from '../api-keys/authenticate.ts';
import { allScopes, grants, type Scope } from '../api-keys/scopes.ts';
import { claimKey, completeKey, holdClaim, releaseKey } from '../idempotency/idempotency-store.ts';
import { openReplay, sealReplay } from '../idempotency/sealed-replay.ts';
import { createValidatorFactory, type RequestValidator } from '../openapi/request-validator.ts';
import { type OpenApiDocument, type SpecRoute, specRoutes, toRouterPath } from '../openapi/spec.ts';
import type { Services } from '../services.ts';
import { authenticateSession } from '../sessions/session-auth.ts';
import { ApiError, problemOf } from './api-error.ts';
import type { AnyOperation, Caller, OperationInput, OperationResult, SessionCaller } from './operation.ts';
import type { RateLimitState, Spender } from './rate-limit.ts';
import { parseJson, readBody } from './read-body.ts';

const maxIdempotencyKeyLength = 255;

/**
 * The /v1 API, built from the spec: each spec operation is bound to the handler of the same operationId,
 * and boot fails if either side has one the other lacks. Every operation runs the same pipeline:
 * authenticate, authorise, rate-limit, read and validate input, honour Idempotency-Key, handle, respond.
 */
export function apiRouter(services: Services, spec: OpenApiDocument, operations: AnyOperation[]): Router {
  const router = new Router();
  const byId = new Map<string, AnyOperation>(operations.map((op) => [op.id, op]));
  const validatorFor = createValidatorFactory(spec);
  const routes = specRoutes(spec).filter((route) => route.path.startsWith('/v1/'));
  const missing = routes.filter((route) => !byId.has(route.operation.operationId));
  if (missing.length > 0) {
    throw new Error(
      `No handler for spec operations: ${missing.map((r) => r.operation.operationId).join(', ')}`,
    );
  }
  const extra = operations.filter((op) => !routes.some((route) => route.operation.operationId === op.id));
  if (extra.length > 0) throw new Error(`Handlers not in the spec: ${extra.map((op) => op.id).join(', ')}`);

  for (const route of routes) {
    const op = byId.get(route.operation.operationId)!;
    const validator = validatorFor(route);
    const auth = authenticationOf(route);
    router[route.method](route.operation.operationId, toRouterPath(route.path), async (ctx) => {
      await runOperation(ctx, services, route, op, validator, auth);
    });
  }
  return router;
}

type Authentication = { scheme: 'secret'; scopes: Scope[] } | { scheme: 'session' };

/**
 * How an operation authenticates comes from its security requirement in the spec: a secret key with every
 * scope the requirement names (one, as its role, or more for an operation that reveals several kinds of
 * object), or a widget's session token.
 */
function authenticationOf(route: SpecRoute): Authentication {
  const requirements = route.operation.security ?? [];
  if (requirements.some((requirement) => 'SessionToken' in requirement)) return { scheme: 'session' };
  const scopes = requirements.flatMap((requirement) => requirement.SecretKey ?? []);
  // One requirement only: OpenAPI reads several as alternatives, which no key check here implements.
  if (requirements.length !== 1 || scopes.length === 0 || !scopes.every(isScope)) {
    throw new Error(
      `${route.operation.operationId} must name known scopes in one security requirement, not ${JSON.stringify(requirements)}`,
    );
  }
  return { scheme: 'secret', scopes };
}

const isScope = (scope: string): scope is Scope => allScopes.includes(scope as Scope);

/** Who is calling, and what is left of their rate-limit budget (spent by this request). */
interface Admission {
  caller: Caller;
  session: SessionCaller | null;
  budget: RateLimitState;
}

async function admit(
  ctx: Context,
  services: Services,
  em: EntityManager,
  auth: Authentication,
): Promise<Admission> {
  if (auth.scheme === 'session') {
    const { caller, session } = await authenticateSession(
      em,
      services.signingKeys,
      services.issuer,
      ctx.get('authorization') || undefined,
      ctx.get('origin') || undefined,
    );
    // Apart from the tenant's API keys: candidates' pages must never get the integrator's own calls refused.
    const spender: Spender = { kind: 'session', interviewId: session.interviewId, tenantId: caller.tenantId };
    return { caller, session, budget: await services.rateLimiter.consume(spender) };
  }
  const secret = bearerSecret(ctx.get('authorization') || undefined);
  const recalled = services.secretKeys.recall(secret);
  if (!recalled || !grantsAll(recalled.scopes, auth.scopes)) {
    const caller = requireScopes(await services.secretKeys.authenticate(secret), auth.scopes);
    return { caller, session: null, budget: await services.rateLimiter.consume(apiKeySpender(caller)) };
  }
  // A key in use: checking it and spending its budget are sent in the same tick, so Redis gets both in one
  // write (auto-pipelining). What the check says still decides; a key refused now has spent one request.
  const [checked, spent] = await Promise.allSettled([
    services.secretKeys.authenticate(secret),
    services.rateLimiter.consume(apiKeySpender(recalled)),
  ]);
  if (checked.status === 'rejected') throw checked.reason;
  const caller = requireScopes(checked.value, auth.scopes);
  if (spent.status === 'rejected') throw spent.reason;
  return { caller, session: null, budget: spent.value };
}

const apiKeySpender = (key: Pick<Caller, 'keyId' | 'tenantId'>): Spender => ({
  kind: 'api_key',
  keyId: key.keyId,
  tenantId: key.tenantId,
});

const grantsAll = (held: readonly string[], needed: readonly Scope[]) =>
  needed.every((scope) => grants(held, scope));

function requireScopes(caller: Caller, scopes: readonly Scope[]): Caller {
  const missing = scopes.filter((scope) => !grants(caller.scopes, scope));
  if (missing.length > 0) {
    const named = missing.map((scope) => `"${scope}"`).join(' and ');
    const noun = missing.length === 1 ? 'scope' : 'scopes';
    throw new ApiError('insufficient_scope', `This API key lacks the ${named} ${noun} this request needs.`);
  }
  return caller;
}

async function runOperation(
  ctx: Context,
  services: Services,
  route: SpecRoute,
  op: AnyOperation,
  validator: RequestValidator,
  auth: Authentication,
): Promise<void> {
  const em = services.db.orm.em.fork();
  const { caller, session, budget } = await admit(ctx, services, em, auth);
  ctx.set({
    'RateLimit-Limit': String(budget.limit),
    'RateLimit-Remaining': String(budget.remaining),
    'RateLimit-Reset': String(budget.resetSeconds),
  });

  const { body, raw } = await readInput(ctx, services, route, op, validator);
  const input = validator.validate({ params: ctx.params as Record<string, string>, query: ctx.query, body });
  let stream: ((ctx: Context) => Promise<void>) | null = null;
  const run = async (): Promise<{ status: number; body: string }> => {
    const result = await (
      op.handle as (input: OperationInput<typeof op.id>) => Promise<OperationResult<typeof op.id>>
    )({
      params: input.params,
      query: input.query,
      body: input.body,
      caller,
      session,
      em,
      services,
      raw,
    } as OperationInput<typeof op.id>);
    if ('stream' in result) {
      stream = result.stream;
      return { status: 200, body: '' };
    }
    return { status: result.status, body: JSON.stringify(result.body) };
  };

  // Only POSTs are made idempotent; the key is checked as the client sent it, before it is scoped.
  const sent = route.method === 'post' ? ctx.headers['idempotency-key'] : undefined;
  const key = Array.isArray(sent) ? sent.join(', ') : sent;
  if (key !== undefined && (key.length === 0 || key.length > maxIdempotencyKeyLength)) {
    throw new ApiError(
      'invalid_request',
      `Idempotency-Key must be 1 to ${maxIdempotencyKeyLength} characters, got ${key.length}.`,
      { param: 'Idempotency-Key' },
    );
  }
  // A session's idempotency keys live in the interview's own namespace, apart from the tenant's API keys.
  // The separator is a line feed, which no header value can hold, so no API key's key can be the same.
  const scopedKey = session && key ? `${session.interviewId}\n${key}` : key;
  // A credential's replay is the requesting key's alone: another key's request with its Idempotency-Key is a
  // different request (422), and the record is sealed with the requesting key (or session token), which only
  // its holder has.
  const seal = op.returnsCredential
    ? credentialSeal(bearerSecret(ctx.get('authorization')), scopedKey)
    : null;
  const response = scopedKey
    ? await runIdempotently(
        ctx,
        em,
        services,
        caller,
        scopedKey,
        requestFingerprint(
          ctx.method,
          canonicalPath(route, input.params),
          input.body,
          raw,
          seal ? caller.keyId : null,
        ),
        run,
        seal,
      )
    : await run();
  if (stream) return (stream as (ctx: Context) => Promise<void>)(ctx);
  ctx.status = response.status;
  ctx.type = response.status >= 400 ? 'application/problem+json' : 'application/json';
  ctx.body = response.body;
}

async function readInput(
  ctx: Context,
  services: Services,
  route: SpecRoute,
  op: AnyOperation,
  validator: RequestValidator,
): Promise<{ body: unknown; raw: OperationInput<'createJob'>['raw'] }> {
  const takesBody = route.operation.requestBody !== undefined;
  if (!takesBody) return { body: undefined, raw: null };
  const contentType = ctx.get('content-type').split(';')[0]!.trim().toLowerCase();
  // An upload is read as bytes, whatever its media type, unless the operation also takes JSON and this is
  // JSON: its handler names the media types it accepts, so a résumé sent as JSON gets the résumé's 415.
  const takesJson = validator.bodyMediaType !== null;
  if (op.maxRawBytes !== undefined && !(takesJson && contentType === 'application/json')) {
    const bytes = await readBody(ctx, op.maxRawBytes);
    return { body: undefined, raw: { contentType, bytes } };
  }
  const bytes = await readBody(ctx, services.config.maxJsonBytes);
  if (bytes.length === 0) {
    if (validator.bodyRequired) throw new ApiError('invalid_request', 'This request needs a JSON body.');
    return { body: undefined, raw: null };
  }
  if (contentType !== 'application/json') {
    throw new ApiError(
      'unsupported_media_type',
      `Send the body as application/json, not "${contentType || 'nothing'}".`,
    );
  }
  return { body: parseJson(bytes), raw: null };
}

/**
 * The path as the spec spells it, with the request's own path parameters: the router also takes a trailing
 * slash and any letter case (`/V1/CANDIDATES/`), and a retry so spelled is still the same request.
 */
function canonicalPath(route: SpecRoute, params: Record<string, string>): string {
  return route.path.replace(/\{([^}]+)\}/g, (_, name: string) => params[name] ?? '');
}

/**
 * What makes two requests with one Idempotency-Key the same request: method, path and body. The path is the
 * canonical one, so how a client spelled it does not count. A JSON body counts as parsed (whitespace
 * aside); an upload (an audio answer) has no parsed body, so it counts by its media type and every byte. An
 * upload's media type is followed by a newline, which serialised JSON never contains, so the two kinds
 * cannot hash alike.
 */
function requestFingerprint(
  method: string,
  path: string,
  body: unknown,
  raw: OperationInput<'createJob'>['raw'],
  keyId: string | null,
): string {
  const hash = createHash('sha256').update(`${method} ${path}\n`);
  if (keyId) hash.update(`${keyId}\n`);
  if (raw) hash.update(`${raw.contentType}\n`).update(raw.bytes);
  else hash.update(JSON.stringify(body ?? null));
  return hash.digest('hex');
}

async function runIdempotently(
  ctx: Context,
  em: OperationInput<'createJob'>['em'],
  services: Services,
  caller: Caller,
  key: string,
  fingerprint: string,
  run: () => Promise<{ status: number; body: string }>,
  seal: Seal | null,
): Promise<{ status: number; body: string }> {
  const claim = await claimKey(em, caller, key, fingerprint);
  if (claim.kind === 'in_flight') {
    throw new ApiError(
      'idempotency_key_in_use',
      'A request with this Idempotency-Key is still being processed; retry shortly.',
      {
        headers: { 'Retry-After': '1' },
      },
    );
  }
  if (claim.kind === 'mismatch') {
    throw new ApiError(
      'idempotency_key_reused',
      'This Idempotency-Key was already used with a different request.',
    );
  }
  if (claim.kind === 'replay') {
    const body = seal ? seal.open(claim.body) : claim.body;
    if (body === null) {
      throw new ApiError(
        'idempotency_key_reused',
        'This Idempotency-Key was already used with a different request.',
      );
    }
    ctx.set('Idempotent-Replayed', 'true');
    return { status: claim.status, body };
  }
  const log = services.logger.child({ request_id: ctx.state.requestId });
  const release = holdClaim(em, caller, key, claim.claimId, (err) =>
    log.warn({ err }, 'could not renew an idempotency claim; it lapses unless the next renewal succeeds'),
  );
  let response: { status: number; body: string };
  try {
    response = await run();
  } catch (error) {
    // A client error is the request's answer and is replayed like a success; our own failures are not.
    if (!(error instanceof ApiError && error.status < 500)) {
      await releaseKey(em, caller, key, claim.claimId).catch(() => undefined);
      throw error;
    }
    response = { status: error.status, body: JSON.stringify(problemOf(error, ctx.state.requestId)) };
    ctx.set(error.headers);
  } finally {
    release();
  }
  // The request has done its work, so its answer goes to the client even if it cannot be recorded: a 5xx
  // would invite the retry that does it twice.
  const stored = seal ? seal.close(response.body) : response.body;
  const recorded = await completeKey(em, caller, key, claim.claimId, response.status, stored).catch(
    (err: unknown) => {
      log.warn({ err }, 'could not record an idempotent response; a retry may run the request again');
      return true;
    },
  );
  if (!recorded)
    log.warn('an idempotency claim was lost while its request ran; its response is not replayed');
  return response;
}

interface Seal {
  close(body: string): string;
  open(stored: string): string | null;
}

function credentialSeal(callerSecret: string, key: string | undefined): Seal | null {
  if (key === undefined) return null;
  return {
    close: (body) => sealReplay(body, callerSecret, key),
    open: (stored) => openReplay(stored, callerSecret, key),
  };
}

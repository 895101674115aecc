import { lookup as dnsLookup } from 'node:dns';
import {
  type ClientRequest,
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { isForbiddenAddress } from './address-policy.ts';

/** Why an attempt failed without an HTTP answer worth its status (stable codes, shown to integrators). */
export type WebhookAttemptError =
  | 'invalid_url'
  | 'forbidden_address'
  | 'dns_failure'
  | 'connection_refused'
  | 'connection_reset'
  | 'network_unreachable'
  | 'tls_error'
  | 'timeout'
  | 'invalid_request'
  | 'invalid_response'
  | 'connection_error'
  | 'redirect_not_followed';

export interface WebhookAttempt {
  outcome: 'succeeded' | 'failed';
  statusCode: number | null;
  /** The whole attempt, from before connecting to the last byte of the snippet read. */
  latencyMs: number;
  responseSnippet: string | null;
  /** `null` whenever the receiver answered with a status other than a redirect: the status says it all. */
  error: WebhookAttemptError | null;
  /** From the Retry-After of a 429 or 503, in seconds from now. */
  retryAfterSeconds: number | null;
  /** The receiver answered 410 Gone: the endpoint wants no more deliveries. */
  gone: boolean;
}

class ForbiddenAddressError extends Error {
  constructor(address: string) {
    super(`Refused to connect to ${address}: webhooks are not sent to private networks.`);
  }
}

class AttemptTimeout extends Error {}

/**
 * Resolves like `dns.lookup`, then refuses to connect if any address is forbidden. It runs for every new
 * connection, right before the connect, so a name that resolved to a public address when the endpoint was
 * created and to 127.0.0.1 now (DNS rebinding) is still refused.
 */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, options, (err, address, family) => {
    if (err) return callback(err, address, family);
    const addresses = typeof address === 'string' ? [address] : address.map((a) => a.address);
    const forbidden = addresses.find(isForbiddenAddress);
    if (forbidden !== undefined) return callback(new ForbiddenAddressError(forbidden), '', 0);
    callback(null, address, family);
  });
};

/**
 * Keep-alive agents: a busy endpoint gets hundreds of deliveries a second, and a TCP and TLS handshake for
 * each would cost the receiver and us more than the request itself. Pooling stays safe because the pool
 * only ever holds connections made through the lookup above, and a connection's address cannot change:
 * the guarded and the unguarded agents are separate, so a socket opened while private networks were
 * allowed is never reused by a guarded request. Idle sockets close after 4 s, before the 5 s keep-alive
 * timeout of Node and many proxies, which makes a reused socket closed under us rare.
 */
const poolOptions = { keepAlive: true, timeout: 4_000, scheduling: 'lifo' as const };
const agents = {
  guarded: {
    http: new HttpAgent({ ...poolOptions, lookup: guardedLookup }),
    https: new HttpsAgent({ ...poolOptions, lookup: guardedLookup }),
  },
  open: { http: new HttpAgent(poolOptions), https: new HttpsAgent(poolOptions) },
};

interface Answer {
  statusCode: number;
  headers: IncomingMessage['headers'];
  snippet: string;
}

type Exchange = { answer: Answer } | { error: unknown; reusedSocket: boolean };

/** A failure with one of these codes on a pooled socket, before any answer, means the receiver had closed it. */
const staleSocketCodes = new Set(['ECONNRESET', 'EPIPE']);

function errorCode(err: unknown): string {
  // With several addresses to try (happy eyeballs), Node reports each failure inside an AggregateError.
  const first = err instanceof AggregateError ? err.errors[0] : err;
  const code = (first as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : '';
}

function classify(err: unknown): WebhookAttemptError {
  if (err instanceof AttemptTimeout) return 'timeout';
  if (err instanceof ForbiddenAddressError) return 'forbidden_address';
  const code = errorCode(err);
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'connection_reset';
  if (code === 'ECONNREFUSED') return 'connection_refused';
  if (code === 'ETIMEDOUT') return 'timeout';
  if (code === 'ENOTFOUND' || code.startsWith('EAI_')) return 'dns_failure';
  if (['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN'].includes(code)) return 'network_unreachable';
  // OpenSSL's verification codes (CERT_HAS_EXPIRED, DEPTH_ZERO_SELF_SIGNED_CERT, …) and Node's own TLS ones.
  if (/^(ERR_TLS_|ERR_SSL_|EPROTO$)|CERT|SIGNATURE|ISSUER/.test(code)) return 'tls_error';
  if (code.startsWith('HPE_')) return 'invalid_response';
  if (code === 'ERR_INVALID_CHAR' || code === 'ERR_INVALID_HTTP_TOKEN') return 'invalid_request';
  return 'connection_error';
}

/**
 * Seconds from now, from delta-seconds or an HTTP-date. Anything else is ignored rather than guessed at:
 * the schedule still applies.
 */
function parseRetryAfter(value: string | undefined, now: number): number | null {
  const text = value?.trim() ?? '';
  if (/^\d+$/.test(text)) return Number(text);
  if (!/^[A-Za-z]/.test(text)) return null;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * The first `maxBytes` of a body as text, cut at a character boundary. NUL becomes U+FFFD because the
 * snippet is stored in a PostgreSQL text column, which cannot hold it.
 */
class Snippet {
  readonly #decoder = new StringDecoder('utf8');
  #text = '';
  #room: number;

  constructor(maxBytes: number) {
    this.#room = maxBytes;
  }

  /** Takes what fits; false once full. */
  add(chunk: Buffer): boolean {
    const taken = chunk.subarray(0, this.#room);
    this.#room -= taken.length;
    this.#text += this.#decoder.write(taken);
    return this.#room > 0;
  }

  get text(): string {
    return this.#text.replaceAll('\u0000', '\uFFFD');
  }
}

function exchange(
  url: URL,
  request: { headers: Record<string, string>; body: string },
  options: { allowPrivateNetworks: boolean; maxSnippetBytes: number },
  remainingMs: number,
): Promise<Exchange> {
  return new Promise((resolve) => {
    const https = url.protocol === 'https:';
    const pool = options.allowPrivateNetworks ? agents.open : agents.guarded;
    /** Set once the answer's head is in. */
    let finish: (() => void) | null = null;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const settle = (result: Exchange) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };

    let req: ClientRequest;
    try {
      // Credentials in the URL are never sent: only host, port and path are taken from it.
      req = (https ? httpsRequest : httpRequest)({
        method: 'POST',
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
        agent: https ? pool.https : pool.http,
      });
    } catch (error) {
      // Node validates headers as the request is made; a bad one fails this attempt, not the worker.
      return settle({ error, reusedSocket: false });
    }
    // One deadline for everything: connecting, the answer's head and the snippet.
    timer = setTimeout(() => req.destroy(new AttemptTimeout()), remainingMs);

    req.on('error', (error) => (finish ? finish() : settle({ error, reusedSocket: req.reusedSocket })));
    req.on('response', (res) => {
      const snippet = new Snippet(options.maxSnippetBytes);
      const head = { statusCode: res.statusCode ?? 0, headers: res.headers };
      // Once the status is in, the outcome is decided: a body cut short only shortens the snippet.
      const done = () => settle({ answer: { ...head, snippet: snippet.text } });
      finish = done;
      res.on('data', (chunk: Buffer) => {
        if (snippet.add(chunk)) return;
        done();
        // Nothing more is read: a receiver streaming gigabytes costs us one snippet and a socket.
        res.destroy();
      });
      res.on('end', done);
      res.on('error', done);
      res.on('close', done);
    });
    req.end(request.body);
  });
}

function failed(error: WebhookAttemptError, latencyMs: number): WebhookAttempt {
  return {
    outcome: 'failed',
    statusCode: null,
    latencyMs,
    responseSnippet: null,
    error,
    retryAfterSeconds: null,
    gone: false,
  };
}

/**
 * Makes one delivery attempt: a POST of `body` with `headers`, never following a redirect, refusing private
 * addresses unless they are allowed, and bounded by `timeoutMs` from start to end. Network failures are
 * returned as failed attempts, never thrown.
 */
export async function sendWebhook(
  request: { url: string; headers: Record<string, string>; body: string },
  options: { timeoutMs: number; allowPrivateNetworks: boolean; maxSnippetBytes?: number },
): Promise<WebhookAttempt> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return failed('invalid_url', elapsed());
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return failed('invalid_url', elapsed());
  // Node does not call `lookup` for an IP literal, so the guarded agent alone would let one through.
  const literal = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!options.allowPrivateNetworks && isIP(literal) !== 0 && isForbiddenAddress(literal)) {
    return failed('forbidden_address', elapsed());
  }

  const exchangeOptions = {
    allowPrivateNetworks: options.allowPrivateNetworks,
    maxSnippetBytes: options.maxSnippetBytes ?? 1024,
  };
  let result = await exchange(url, request, exchangeOptions, options.timeoutMs);
  // A pooled socket the receiver closed while idle fails before the request reaches it. Node's documented
  // remedy is to send again at once on a new socket, rather than count a failure and wait 5 s.
  if ('error' in result && result.reusedSocket && staleSocketCodes.has(errorCode(result.error))) {
    const remainingMs = options.timeoutMs - (performance.now() - started);
    if (remainingMs > 0) result = await exchange(url, request, exchangeOptions, remainingMs);
  }
  if ('error' in result) return failed(classify(result.error), elapsed());

  const { statusCode, headers, snippet } = result.answer;
  const redirected = statusCode >= 300 && statusCode < 400;
  return {
    outcome: statusCode >= 200 && statusCode < 300 ? 'succeeded' : 'failed',
    statusCode,
    latencyMs: elapsed(),
    responseSnippet: snippet,
    error: redirected ? 'redirect_not_followed' : null,
    retryAfterSeconds:
      statusCode === 429 || statusCode === 503 ? parseRetryAfter(headers['retry-after'], Date.now()) : null,
    gone: statusCode === 410,
  };
}

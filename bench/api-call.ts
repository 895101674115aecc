import type http from 'node:http';
import { request } from './interview-driver.ts';

/** Set-up requests to the platform's API: the parsed body of a 2xx answer, or an error quoting the answer. */

function parsed<T>(method: string, path: string, status: number, text: string, quoteChars: number): T {
  if (status < 200 || status > 299)
    throw new Error(`${method} ${path} answered ${status}: ${text.slice(0, quoteChars)}`);
  return JSON.parse(text) as T;
}

/** Through fetch, for benches whose load does not go through an agent of their own. */
export async function call<T>(
  base: string,
  method: string,
  path: string,
  key: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return parsed<T>(method, path, response.status, await response.text(), Number.POSITIVE_INFINITY);
}

/**
 * Over `api.agent`, the keep-alive agent the bench's own load uses. `quoteChars`: how much of an error answer
 * to quote (all unless told).
 */
export async function callWithAgent<T>(
  api: { agent: http.Agent; url: URL },
  method: string,
  path: string,
  key: string,
  body?: unknown,
  quoteChars = Number.POSITIVE_INFINITY,
): Promise<T> {
  const res = await request(api.agent, api.url, method, path, key, body);
  return parsed<T>(method, path, res.status, res.text, quoteChars);
}

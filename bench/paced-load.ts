import { Agent, request } from 'node:http';

/**
 * Requests at a fixed rate, evenly spaced: the n-th leaves at start + n / rate, whether or not earlier ones
 * have been answered (an open model, as wrk2 and vegeta load). autocannon cannot do this: its `overallRate`
 * lets each connection send its share of a second back to back when the second begins, so "500 req/s"
 * arrives as bursts of its connections' worth, and the measured latency is mostly the wait behind the burst.
 * No npm load generator we know of paces evenly, hence these few lines.
 *
 * Latency is measured from when a request was due, not from when it was written, so a stall of the server
 * or of this process shows in the figures instead of silently delaying the schedule (coordinated omission).
 */
export interface PacedLoad {
  url: string;
  method: string;
  headers?: Record<string, string>;
  body?: string;
  ratePerSecond: number;
  seconds: number;
  /** Keep-alive connections at most; a request that finds them all busy waits for one. */
  connections: number;
}

export interface PacedResult {
  /** Each answered request's latency from its due time, in ms, sorted. */
  times: Float64Array;
  /** Requests answered with a status other than 2xx. */
  non2xx: number;
  /** Requests that failed without an answer. */
  errors: number;
  /** Requests sent, and the seconds between the first due time and the last answer. */
  sent: number;
  elapsedSeconds: number;
}

export async function pacedLoad(load: PacedLoad): Promise<PacedResult> {
  const target = new URL(load.url);
  const agent = new Agent({ keepAlive: true, maxSockets: load.connections });
  const body = load.body === undefined ? undefined : Buffer.from(load.body);
  const headers = { ...load.headers, ...(body ? { 'content-length': String(body.length) } : {}) };
  const total = Math.round(load.ratePerSecond * load.seconds);
  const intervalMs = 1000 / load.ratePerSecond;
  const times: number[] = [];
  let non2xx = 0;
  let errors = 0;
  let sent = 0;
  let pending = 0;
  const start = performance.now();

  const send = (dueAt: number) => {
    pending += 1;
    const req = request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: load.method,
        headers,
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          times.push(performance.now() - dueAt);
          if (res.statusCode === undefined || res.statusCode < 200 || res.statusCode >= 300) non2xx += 1;
          pending -= 1;
        });
      },
    );
    req.on('error', () => {
      errors += 1;
      pending -= 1;
    });
    req.end(body);
  };

  await new Promise<void>((resolve) => {
    // A 1 ms tick sends whatever has fallen due: even at a few thousand a second, at most a handful at once.
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor((performance.now() - start) / intervalMs) + 1);
      for (; sent < due; sent += 1) send(start + sent * intervalMs);
      if (sent === total) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  while (pending > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  const elapsedSeconds = (performance.now() - start) / 1000;
  agent.destroy();
  return { times: Float64Array.from(times).sort(), non2xx, errors, sent, elapsedSeconds };
}

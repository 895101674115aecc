import { once } from 'node:events';
import type { Server } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { createReceiver, type VivaEvent } from '@viva/example-webhook-receiver/src/server.ts';
import { selfSignedCertificate } from '@viva/platform/test/webhooks/loopback-receiver.ts';

/**
 * The example webhook receiver (which verifies signatures and drops repeats), served over https on
 * 127.0.0.1: live-mode endpoints must use https. Its certificate is self-signed, so this process (where the
 * platform runs) trusts it until `close()`, as a server trusts its internal CA.
 */
export interface HttpsWebhookReceiver {
  url: string;
  /** Verified deliveries, once each. */
  events: VivaEvent[];
  /** Deliveries the receiver refused (bad signature, stale timestamp...). */
  refused: string[];
  /** Starts verifying with the endpoint's `whsec_…` secret; until then deliveries get a 503. */
  useSecret(secret: string): void;
  /** Resolves with the first verified event of `type` for `interviewId`. */
  waitFor(type: string, interviewId: string, timeoutMs?: number): Promise<VivaEvent>;
  close(): Promise<void>;
}

export async function startHttpsWebhookReceiver(): Promise<HttpsWebhookReceiver> {
  const certificate = selfSignedCertificate();
  if (!certificate) throw new Error('The openssl command is needed to make a certificate for the receiver.');
  const trusted = getCACertificates('default');
  setDefaultCACertificates([...trusted, certificate.cert]);

  const events: VivaEvent[] = [];
  const refused: string[] = [];
  const waiters = new Set<() => void>();
  let receiver: Server | null = null;
  const server = createServer(certificate, (req, res) => {
    if (receiver) receiver.emit('request', req, res);
    else res.writeHead(503).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');

  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/viva`,
    events,
    refused,
    useSecret(secret) {
      receiver = createReceiver({
        secrets: [secret],
        onEvent(event) {
          events.push(event);
          for (const wake of waiters) wake();
        },
        log: { info() {}, warn: (message: string) => refused.push(message), error: console.error },
      });
    },
    waitFor(type, interviewId, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const event = events.find((e) => e.type === type && e.interview_id === interviewId);
          if (!event) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(event);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          const got = events.map((e) => `${e.type} ${e.interview_id}`).join(', ');
          reject(new Error(`No verified ${type} for ${interviewId}; got [${got}], refused [${refused}]`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
      setDefaultCACertificates(trusted);
    },
  };
}

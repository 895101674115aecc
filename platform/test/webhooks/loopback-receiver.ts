import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Answers a request once its body is in; answering nothing leaves the sender waiting. */
export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** A real HTTP(S) server on loopback that records what reaches it. */
export interface LoopbackReceiver {
  url: string;
  port: number;
  requests: ReceivedRequest[];
  /** TCP connections accepted, to tell a reused socket from a new one. */
  connections: number;
  close(): Promise<void>;
}

export async function startReceiver(
  handle: Handler,
  options: { host?: string; tls?: { key: string; cert: string } } = {},
): Promise<LoopbackReceiver> {
  const host = options.host ?? '127.0.0.1';
  const requests: ReceivedRequest[] = [];
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      handle(req, res, body);
    });
  };
  const server = options.tls ? createTlsServer(options.tls, onRequest) : createServer(onRequest);
  const receiver: LoopbackReceiver = {
    url: '',
    port: 0,
    requests,
    connections: 0,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
  server.on(options.tls ? 'secureConnection' : 'connection', () => {
    receiver.connections += 1;
  });
  server.listen(0, host);
  await once(server, 'listening');
  receiver.port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  receiver.url = `${options.tls ? 'https' : 'http'}://${shownHost}:${receiver.port}`;
  return receiver;
}

/**
 * A throwaway certificate for 127.0.0.1, made with the openssl command line; `null` where there is none,
 * and the HTTPS tests are skipped.
 */
export function selfSignedCertificate(): { key: string; cert: string } | null {
  const dir = mkdtempSync(join(tmpdir(), 'viva-webhook-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=viva-webhook-test',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    };
  } catch {
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

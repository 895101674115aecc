import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { FakeLiveKitMode, LiveKitAttempt } from './protocol.ts';

/**
 * A LiveKit server that never lets a room be joined, as a corporate network that blocks WebRTC looks to the
 * browser (no LiveKit server can run here; see docs/livekit.md). The real `livekit-client` in the page dials
 * it with the token the platform minted:
 * - `refuse`: every request, the signalling WebSocket's upgrade too, gets a 500, so `Room.connect` fails fast;
 * - `hang`: the WebSocket opens, and nothing ever comes on it (nor on any other request), so joining takes
 *   until the widget's own deadline.
 * It logs each attempt, so a test can tell that the browser really tried, with a token.
 */
export interface FakeLiveKit {
  /** `ws://127.0.0.1:PORT`, the platform's LIVEKIT_URL. */
  url: string;
  setMode(mode: FakeLiveKitMode): void;
  attempts: LiveKitAttempt[];
  close(): Promise<void>;
}

export async function startFakeLiveKit(): Promise<FakeLiveKit> {
  let mode: FakeLiveKitMode = 'refuse';
  const attempts: LiveKitAttempt[] = [];
  const sockets = new Set<Socket>();

  function record(kind: LiveKitAttempt['kind'], request: IncomingMessage): void {
    const url = new URL(request.url ?? '/', 'http://fake-livekit');
    // The token is a credential: the log says whether one came, never what it was.
    attempts.push({ kind, path: url.pathname, withToken: url.searchParams.has('access_token'), mode });
  }

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    record('http', request);
    if (mode === 'hang') return; // Held open until the server closes.
    response.writeHead(500, { 'content-type': 'text/plain', 'access-control-allow-origin': '*' });
    response.end('fake LiveKit: refused');
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (request: IncomingMessage, socket: Socket) => {
    record('websocket', request);
    if (mode === 'refuse') {
      socket.end('HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    const key = request.headers['sec-websocket-key'] ?? '';
    const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC11B65`).digest('base64');
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    // The join request arrives and is never answered.
    socket.on('data', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: `ws://127.0.0.1:${port}`,
    attempts,
    setMode(next) {
      mode = next;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

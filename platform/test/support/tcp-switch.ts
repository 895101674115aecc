import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';

export interface TcpSwitch {
  /** `http://127.0.0.1:<port>`, to use in place of the target's URL. */
  url: string;
  /** Refuses every connection from now on, and cuts the open ones. */
  off(): void;
  /**
   * Keeps every connection, and accepts new ones, but carries nothing either way from now on: a server that
   * hangs, or a network that drops packets, rather than one that is gone. `on` cuts the stalled connections.
   */
  stall(): void;
  on(): void;
  /** Holds back what the target sends, `ms` from now on (0: no longer), keeping its order: a slow link. */
  slow(ms: number): void;
  close(): Promise<void>;
}

/**
 * A TCP pass-through to `target` that can be switched off: the client library then meets a dependency that
 * really went away (connections reset), with its own retries and errors, rather than a stubbed failure.
 */
export async function startTcpSwitch(target: string): Promise<TcpSwitch> {
  const { hostname, port } = new URL(target);
  const open = new Set<Socket>();
  const pairs = new Set<[Socket, Socket]>();
  let up = true;
  let stalled = false;
  let lagMs = 0;
  /** Swallows what `socket` receives, forwarding nothing. */
  const swallow = (socket: Socket) => {
    socket.on('data', () => undefined);
    socket.resume();
  };
  const server = createServer((client) => {
    if (!up) {
      client.destroy();
      return;
    }
    if (stalled) {
      open.add(client);
      client.on('close', () => open.delete(client));
      client.on('error', () => client.destroy());
      swallow(client);
      return;
    }
    const upstream = connect(Number(port), hostname);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    for (const socket of pair) {
      open.add(socket);
      socket.on('close', () => {
        open.delete(socket);
        pairs.delete(pair);
      });
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    // By hand rather than piped, to hold it back while the link is slow; `notBefore` keeps it in order when
    // the lag shrinks.
    let notBefore = 0;
    upstream.on('data', (chunk: Buffer) => {
      if (stalled) return;
      const now = Date.now();
      notBefore = Math.max(now + lagMs, notBefore);
      if (notBefore <= now) client.write(chunk);
      else setTimeout(() => client.writable && client.write(chunk), notBefore - now);
    });
    upstream.on('end', () => setTimeout(() => client.end(), Math.max(0, notBefore - Date.now())));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('The switch has no TCP port.');
  const cut = () => {
    for (const socket of open) socket.destroy();
  };
  return {
    url: `http://127.0.0.1:${address.port}`,
    off() {
      up = false;
      cut();
    },
    stall() {
      stalled = true;
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        swallow(client);
        swallow(upstream);
      }
    },
    on() {
      if (stalled) cut();
      stalled = false;
      up = true;
    },
    slow(ms) {
      lagMs = ms;
    },
    async close() {
      cut();
      server.close();
      await once(server, 'close');
    },
  };
}

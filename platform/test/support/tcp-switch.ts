import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';

export interface TcpSwitch {
  /** `http://127.0.0.1:<port>`, to use in place of the target's URL. */
  url: string;
  /** Refuses every connection from now on, and cuts the open ones. */
  off(): void;
  on(): void;
  close(): Promise<void>;
}

/**
 * A TCP pass-through to `target` that can be switched off: the client library then meets a dependency that
 * really went away (connections reset), with its own retries and errors, rather than a stubbed failure.
 */
export async function startTcpSwitch(target: string): Promise<TcpSwitch> {
  const { hostname, port } = new URL(target);
  const open = new Set<Socket>();
  let up = true;
  const server = createServer((client) => {
    if (!up) {
      client.destroy();
      return;
    }
    const upstream = connect(Number(port), hostname);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
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
    on() {
      up = true;
    },
    async close() {
      cut();
      server.close();
      await once(server, 'close');
    },
  };
}

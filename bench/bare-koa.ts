/**
 * The baseline: a bare Koa 3 hello-world, nothing else. Run by api.ts in its own process; prints
 * `{"url":"http://127.0.0.1:PORT"}` once listening on a free port.
 */
import { createServer } from 'node:http';
import Koa from 'koa';
import { announceAndServe } from './server-process.ts';

const app = new Koa();
app.use((ctx) => {
  ctx.body = { hello: 'world' };
});

const server = createServer(app.callback());
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  announceAndServe(`http://127.0.0.1:${port}`, async () => {
    server.close();
    server.closeAllConnections();
  });
});

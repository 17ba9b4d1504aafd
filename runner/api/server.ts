/** Start the HTTP API: loopback by default; any other address only with a token of at least 32 characters. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Control } from '../control.js';
import { createApp } from './app.js';

function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export interface ServeOptions {
  readonly host: string;
  readonly port: number;
  readonly token: string;
  /** Failed authentications per address per window before 429 (default 20 a minute). */
  readonly authFailures?: { readonly max: number; readonly windowMs: number };
}

const MIN_EXPOSED_TOKEN_LENGTH = 32;

export interface RunningServer {
  readonly server: Server;
  readonly url: string;
  close(): Promise<void>;
}

export async function serveApi(control: Control, opts: ServeOptions): Promise<RunningServer> {
  if (!isLoopback(opts.host) && opts.token.length < MIN_EXPOSED_TOKEN_LENGTH) {
    throw new Error(`api.host: "${opts.host}" is not a loopback address; refusing to listen there with a token of ${opts.token.length} characters (at least ${MIN_EXPOSED_TOKEN_LENGTH} needed: set TSTRADER_API_TOKEN, e.g. openssl rand -hex 24)`);
  }
  const app = createApp(control, { token: opts.token, ...(opts.authFailures ? { authFailures: opts.authFailures } : {}) });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(opts.port, opts.host, (err?: Error) => (err ? reject(err) : resolve(s)));
    s.once('error', reject);
  });
  server.keepAliveTimeout = 65_000;
  const { port } = server.address() as AddressInfo;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    server,
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Start the HTTP API: loopback by default; any other address only with a configured token. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Control } from '../control.js';
import { createApp } from './app.js';

export function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export interface ServeOptions {
  readonly host: string;
  readonly port: number;
  /** The token; null when none was configured (then a loopback-only random one must be supplied). */
  readonly token: string;
  /** True when the token came from the environment (required for non-loopback hosts). */
  readonly tokenFromEnv: boolean;
}

export interface RunningServer {
  readonly server: Server;
  readonly url: string;
  close(): Promise<void>;
}

export async function serveApi(control: Control, opts: ServeOptions): Promise<RunningServer> {
  if (!isLoopback(opts.host) && !opts.tokenFromEnv) {
    throw new Error(`api.host: "${opts.host}" is not a loopback address; refusing to listen there without TSTRADER_API_TOKEN set`);
  }
  const app = createApp(control, { token: opts.token });
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

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestListener } from 'node:http';

export interface RunningHttpServer {
  server: http.Server;
  /** e.g. `http://127.0.0.1:8080` (the actual port when 0 was asked for). */
  url: string;
  /** Stops accepting connections and resolves once every request in flight has been answered. */
  close(): Promise<void>;
}

/** Listens with `handler` (an Express app) on host:port; rejects when the port cannot be had. */
export async function listenHttp(handler: RequestListener, host: string, port: number): Promise<RunningHttpServer> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`cannot listen on ${host}:${port}: ${err.message}`)));
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { server, url: `http://${shownHost}:${address.port}`, close: () => closeGracefully(server) };
}

function closeGracefully(server: http.Server): Promise<void> {
  return new Promise((resolve, reject) => {
    // close() waits for open requests, but a keep-alive connection would hold it open after its
    // last answer: drop connections as soon as they fall idle.
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    server.close((err) => {
      clearInterval(sweep);
      if (err) reject(err);
      else resolve();
    });
    server.closeIdleConnections();
  });
}

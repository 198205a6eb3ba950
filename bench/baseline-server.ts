import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The baseline: a bare Node HTTP server on loopback that reads the whole (small JSON) body,
 * parses it and answers 202 with a small JSON body, like the webhook endpoint does minus
 * everything Tend adds. It runs in the benchmark's own process, as the local stack does.
 */
export async function startBaselineServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let status = 202;
      try {
        JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        status = 400;
      }
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(status === 202 ? '{"status":"accepted"}' : '{"error":"malformed_json"}');
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

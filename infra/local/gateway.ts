import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type RouteSpec, routes } from '../manifest.ts';
import { type FrontDoor, isDelivery } from './front-door.ts';
import { invokeFunction } from './functions.ts';

/** API Gateway's own payload limit; larger requests never reach a function. */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

interface CompiledRoute {
  spec: RouteSpec;
  pattern: RegExp;
  params: string[];
}

const compiled: CompiledRoute[] = routes.map((spec) => {
  const params: string[] = [];
  // `{name+}` is greedy, as on API Gateway: it takes the rest of the path, slashes included.
  const source = spec.path.replace(/\{([^}+]+)(\+?)\}/g, (_, name: string, greedy: string) => {
    params.push(name);
    return greedy ? '(.+)' : '([^/]+)';
  });
  return { spec, pattern: new RegExp(`^${source}$`), params };
});

function match(method: string, pathname: string) {
  let pathMatched = false;
  for (const route of compiled) {
    const m = route.pattern.exec(pathname);
    if (!m) continue;
    pathMatched = true;
    if (route.spec.method !== method) continue;
    const pathParameters = Object.fromEntries(route.params.map((p, i) => [p, decodeURIComponent(m[i + 1] ?? '')]));
    return { route, pathParameters };
  }
  return pathMatched ? 'method-not-allowed' : undefined;
}

/** Builds the API Gateway v2 (HTTP API, payload 2.0) event for a request, as AWS would. */
export function toApiGatewayEvent(
  req: http.IncomingMessage,
  url: URL,
  body: Buffer,
  routeKey: string,
  pathParameters: Record<string, string>,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[key.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const query = url.searchParams.size > 0 ? Object.fromEntries(url.searchParams) : undefined;
  // API Gateway passes text bodies as strings and anything else base64-encoded.
  const text = body.toString('utf8');
  const isText = Buffer.from(text, 'utf8').equals(body);
  const now = new Date();
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters: query,
    pathParameters: Object.keys(pathParameters).length > 0 ? pathParameters : undefined,
    body: body.length === 0 ? undefined : isText ? text : body.toString('base64'),
    isBase64Encoded: body.length > 0 && !isText,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: url.host,
      domainPrefix: 'local',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
  };
}

function send(res: http.ServerResponse, result: APIGatewayProxyStructuredResultV2) {
  const body = result.body ?? '';
  res.writeHead(result.statusCode ?? 200, result.headers as http.OutgoingHttpHeaders);
  res.end(result.isBase64Encoded ? Buffer.from(body, 'base64') : body);
}

const jsonError = (status: number, code: string, message: string): APIGatewayProxyStructuredResultV2 => ({
  statusCode: status,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: JSON.stringify({ error: { code, message } }),
});

export interface GatewayOptions {
  port: number;
  host?: string;
  /** Answers a request before routing (the local /health uses it); undefined falls through. */
  intercept?: (method: string, url: URL) => Promise<APIGatewayProxyStructuredResultV2 | undefined>;
  onRequest?: (entry: { method: string; path: string; status: number; ms: number }) => void;
  /** Told of every delivery request (webhooks, the events API), so processing can give way. */
  frontDoor?: FrontDoor;
}

/** The local HTTP API: turns requests into API Gateway v2 events for the manifest's routes. */
export async function startGateway(options: GatewayOptions): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const started = performance.now();
    if (options.frontDoor && isDelivery(req.method ?? 'GET', (req.url ?? '/').split('?')[0] ?? '/')) {
      res.once('close', options.frontDoor.enter());
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES && !refused) {
        refused = true;
        send(res, jsonError(413, 'payload_too_large', 'the request body is larger than 10 MiB'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', async () => {
      if (refused) return;
      const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
      const method = req.method ?? 'GET';
      let result: APIGatewayProxyStructuredResultV2;
      try {
        const intercepted = await options.intercept?.(method, url);
        if (intercepted) {
          result = intercepted;
        } else {
          const found = match(method, url.pathname);
          if (found === undefined) result = jsonError(404, 'not_found', `no route for ${method} ${url.pathname}`);
          else if (found === 'method-not-allowed')
            result = jsonError(405, 'method_not_allowed', `${method} is not allowed on ${url.pathname}`);
          else {
            const routeKey = `${found.route.spec.method} ${found.route.spec.path}`;
            const event = toApiGatewayEvent(req, url, Buffer.concat(chunks), routeKey, found.pathParameters);
            result = (await invokeFunction(found.route.spec.function, event)) as APIGatewayProxyStructuredResultV2;
          }
        }
      } catch (error) {
        console.error('local gateway: function failed', error);
        result = jsonError(500, 'internal_error', 'internal error');
      }
      send(res, result);
      options.onRequest?.({
        method,
        path: url.pathname,
        status: result.statusCode ?? 200,
        ms: performance.now() - started,
      });
    });
  });
  // Idle keep-alive connections stay open longer than clients keep them (undici: 4 s), so a
  // client never reuses a socket the gateway is closing at that very moment.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

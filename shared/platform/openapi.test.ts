import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { routes } from '#infra/routes.ts';
import { ROUTE_ACCESS } from '#people/access.ts';
import { rolesWith } from '#people/roles.ts';
import { openApiDocument } from './openapi.ts';
import { ROUTE_DOCS } from './route-schemas.ts';

const doc = openApiDocument('https://api.shop.example');
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

interface Operation {
  operationId: string;
  security: Record<string, string[]>[];
  parameters?: { name: string; in: string; required?: boolean }[];
  responses: Record<string, unknown>;
  description: string;
  'x-tend-auth': string;
  'x-tend-roles'?: string[];
  'x-tend-self'?: true;
}

const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
  Object.entries(item).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, path, op: op as Operation })),
);
const operation = (key: string) => operations.find((o) => o.key === key)?.op;
const isDashboard = (path: string) => path === '/dashboard' || path.startsWith('/dashboard/');

describe('the OpenAPI document', () => {
  it('documents every route of the manifest but the dashboard’s, and nothing else', () => {
    const expected = routes.filter((r) => !isDashboard(r.path)).map((r) => `${r.method} ${r.path}`);
    expect(operations.map((o) => o.key).sort()).toEqual([...expected].sort());
    // The webhooks, the events API, the email links, health and the JSON APIs are all in it.
    for (const key of ['POST /webhooks/{sourceId}', 'POST /api/events', 'POST /unsubscribe', 'GET /health']) {
      expect(operation(key), key).toBeDefined();
    }
    expect(routes.filter((r) => isDashboard(r.path)).length).toBeGreaterThan(0);
    expect(Object.keys(doc.paths).filter(isDashboard)).toEqual([]);
  });

  it('describes no route the manifest does not have', () => {
    const manifest = new Set(routes.map((r) => `${r.method} ${r.path}`));
    expect(Object.keys(ROUTE_DOCS).filter((key) => !manifest.has(key))).toEqual([]);
  });

  it('lists, on each user route, the roles its permission allows and the admin token', () => {
    const userRoutes = routes.filter((r) => r.auth === 'user' || r.auth === 'user-or-api-key');
    expect(userRoutes.length).toBeGreaterThan(40);
    for (const route of userRoutes) {
      const key = `${route.method} ${route.path}`;
      const rule = ROUTE_ACCESS[key];
      expect(rule, `${key} has an access rule`).toBeDefined();
      const roles = rolesWith(rule?.permission ?? 'read');
      const op = operation(key);
      expect(op?.['x-tend-roles'], key).toEqual(roles);
      expect(op?.security, key).toEqual(expect.arrayContaining([{ adminToken: [] }, { personalToken: roles }]));
      expect(op?.description, key).toContain(`Allowed to: ${roles.join(', ')}`);
      expect(op?.['x-tend-self'], key).toBe(rule?.self);
      expect(op?.responses, key).toHaveProperty('403');
    }
  });

  it('names the roles in the matrix: admins alone manage users, marketers write content, analysts read', () => {
    expect(operation('POST /api/users')?.['x-tend-roles']).toEqual(['admin']);
    expect(operation('POST /api/sources')?.['x-tend-roles']).toEqual(['admin']);
    expect(operation('PUT /api/journeys/{id}')?.['x-tend-roles']).toEqual(['admin', 'marketer']);
    expect(operation('GET /api/reports/kpis')?.['x-tend-roles']).toEqual(['admin', 'marketer', 'analyst']);
    expect(operation('POST /api/users/{userId}/tokens')?.description).toContain('or any user for their own {userId}');
  });

  it('states the scheme of every other kind of route', () => {
    const security = (key: string) => operation(key)?.security;
    expect(security('POST /api/events')).toEqual([{ apiKey: ['events:write'] }]);
    expect(security('POST /api/imports')).toContainEqual({ apiKey: ['contacts:import'] });
    expect(security('POST /webhooks/{sourceId}')).toEqual([{ webhookSignature: [] }]);
    expect(security('GET /preferences')).toEqual([{ signedLink: [] }]);
    expect(security('GET /health')).toEqual([]);
    expect(security('GET /api/openapi.json')).toEqual([]);
    for (const { key, op } of operations) {
      const route = routes.find((r) => `${r.method} ${r.path}` === key);
      expect(op['x-tend-auth'], key).toBe(route?.auth);
      if (route?.auth !== 'public') expect(op.security.length, key).toBeGreaterThan(0);
    }
  });

  it('takes each body with the schema its capability parses with', () => {
    const body = (key: string) =>
      (operation(key) as { requestBody?: { content: Record<string, { schema: Record<string, unknown> }> } })
        ?.requestBody?.content;
    expect(body('PUT /api/journeys/{id}')?.['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/Journey',
    });
    const source = body('POST /api/sources')?.['application/json']?.schema as { properties: { kind: unknown } };
    expect(source.properties.kind).toEqual({
      type: 'string',
      enum: ['standard-webhooks', 'shopify', 'stripe', 'woocommerce', 'typeform'],
    });
    const user = body('POST /api/users')?.['application/json']?.schema as { required: string[] };
    expect(user.required.sort()).toEqual(['email', 'name', 'role']);
    expect(body('POST /preferences')).toHaveProperty('application/x-www-form-urlencoded');
    const kpis = operation('GET /api/reports/kpis')?.parameters?.map((p) => p.name);
    expect(kpis).toEqual(['from', 'to', 'currency']);
  });
});

/** What OpenAPI 3.1 asks of the parts this document uses (no OpenAPI validator is a dependency). */
const response = z.object({
  description: z.string().min(1),
  content: z.record(z.string(), z.object({ schema: z.unknown() })).optional(),
});
const parameter = z
  .object({
    name: z.string().min(1),
    in: z.enum(['path', 'query', 'header', 'cookie']),
    required: z.boolean().optional(),
    schema: z.record(z.string(), z.unknown()),
  })
  .refine((p) => p.in !== 'path' || p.required === true, 'a path parameter is required');
const operationShape = z.object({
  operationId: z.string().regex(/^[A-Za-z0-9_]+$/),
  summary: z.string().min(1),
  tags: z.array(z.string()).length(1),
  security: z.array(z.record(z.string(), z.array(z.string()))),
  parameters: z.array(parameter).optional(),
  requestBody: z.object({ content: z.record(z.string(), z.object({ schema: z.unknown() })) }).optional(),
  responses: z.record(z.string().regex(/^([1-5]\d\d|[1-5]XX)$/), response).refine((r) => Object.keys(r).length > 0),
});
const documentShape = z.object({
  openapi: z.string().regex(/^3\.1\.\d+$/),
  info: z.object({ title: z.string(), version: z.string() }),
  servers: z.array(z.object({ url: z.url() })),
  components: z.object({
    securitySchemes: z.record(z.string(), z.object({ type: z.enum(['http', 'apiKey']) })),
    schemas: z.record(z.string(), z.unknown()),
  }),
  paths: z.record(z.string().regex(/^\//), z.partialRecord(z.enum(METHODS), operationShape)),
});

/** Every `$ref` anywhere in a value. */
function refs(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refs);
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => (k === '$ref' && typeof v === 'string' ? [v] : refs(v)));
}

describe('the OpenAPI document’s structure', () => {
  it('has the shape OpenAPI 3.1 asks for', () => {
    const parsed = documentShape.safeParse(doc);
    expect(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([]);
  });

  it('survives JSON unchanged (no undefined, no functions)', () => {
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });

  it('resolves every reference and security scheme, and names each operation once', () => {
    const schemas = Object.keys(doc.components.schemas);
    expect(refs(doc).filter((r) => !schemas.some((name) => r === `#/components/schemas/${name}`))).toEqual([]);
    const schemes = new Set(Object.keys(doc.components.securitySchemes));
    const used = operations.flatMap(({ op }) => op.security.flatMap((requirement) => Object.keys(requirement)));
    expect(used.filter((name) => !schemes.has(name))).toEqual([]);
    const ids = operations.map(({ op }) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('declares each path parameter its path names, and no other', () => {
    for (const { key, path, op } of operations) {
      const named = [...path.matchAll(/\{([^}+]+)\+?\}/g)].map(([, name]) => name);
      const declared = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
      expect(declared, key).toEqual(named);
    }
  });
});

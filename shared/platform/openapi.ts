import * as z from 'zod';
import { assertUnreachable } from '#core/assert.ts';
import { type RouteSpec, routes } from '#infra/routes.ts';
import { ROUTE_ACCESS } from '#people/access.ts';
import { PERMISSIONS, type Role, rolesWith } from '#people/roles.ts';
import { PATH_PARAMETERS, ROUTE_DOCS, type RouteDoc, SHARED_SCHEMAS } from './route-schemas.ts';

/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the manifest's routes
 * (`infra/routes.ts`: method, path, authentication), the access rules (`#people/access.ts`: the
 * roles allowed) and the zod schemas the capabilities parse with (`./route-schemas.ts`).
 *
 * The dashboard's routes are left out: its pages, its sign-in and invitation forms, the data its
 * pages draw and its script files are the browser's, behind its own session cookie and CSRF
 * token, and change with the pages; they are no contract for another program.
 */

/** Whether a route of the manifest is in the document: every one but the dashboard's. */
export const isDocumented = (route: RouteSpec): boolean => route.function !== 'dashboard';

export const routeKey = (route: Pick<RouteSpec, 'method' | 'path'>): string => `${route.method} ${route.path}`;

type JsonSchema = Record<string, unknown>;

const SECURITY_SCHEMES = {
  adminToken: {
    type: 'http',
    scheme: 'bearer',
    description: 'The admin token (`TEND_ADMIN_TOKEN`): every permission. Each use is audited.',
  },
  personalToken: {
    type: 'http',
    scheme: 'bearer',
    description:
      "A user's personal token: acts with the user's role. The roles an operation allows are listed in its security requirement and in `x-tend-roles`.",
  },
  apiKey: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'tend_<keyId>_<secret>',
    description: "An API key: allowed where the operation's requirement names one of the key's scopes.",
  },
  webhookSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'webhook-signature',
    description:
      "The delivery signed with the source's secret, as its provider signs: Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature), Shopify (X-Shopify-Hmac-Sha256), Stripe (Stripe-Signature), Typeform (Typeform-Signature), WooCommerce (X-WC-Webhook-Signature).",
  },
  signedLink: {
    type: 'apiKey',
    in: 'query',
    name: 't',
    description: 'The signature of a link Tend put in an email, for the contact (`c`) and topic it names.',
  },
} as const;

type Scheme = keyof typeof SECURITY_SCHEMES;

/** A zod schema as JSON Schema (2020-12, the dialect of OpenAPI 3.1), as a client sends it. */
function definition(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  return rest;
}

/** A shared schema by reference, any other written out where it is used. */
function jsonSchema(schema: z.ZodType): JsonSchema {
  const named = Object.entries(SHARED_SCHEMAS).find(([, shared]) => shared === schema)?.[0];
  return named ? { $ref: `#/components/schemas/${named}` } : definition(schema);
}

const refusal = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

/** Who may call a route: the security requirements, and for user routes the roles in words. */
function access(route: RouteSpec, doc: RouteDoc) {
  const key = routeKey(route);
  const scope = doc.apiKeyScope;
  if ((route.auth === 'api-key' || route.auth === 'user-or-api-key') !== (scope !== undefined)) {
    throw new Error(`${key}: an API key scope goes with, and only with, the routes that take a key`);
  }
  const require = (scheme: Scheme, list: readonly string[] = []) => ({ [scheme]: [...list] });
  switch (route.auth) {
    case 'user':
    case 'user-or-api-key': {
      const rule = ROUTE_ACCESS[key];
      if (!rule) throw new Error(`no access rule for ${key} in shared/people/access.ts`);
      const roles: Role[] = rolesWith(rule.permission);
      const keyWords = route.auth === 'user-or-api-key' ? `, or an API key with the "${scope}" scope` : '';
      const selfWords = rule.self ? ', or any user for their own {userId}' : '';
      return {
        security: [
          require('adminToken'),
          require('personalToken', roles),
          ...(scope ? [require('apiKey', [scope])] : []),
        ],
        words: `Allowed to: ${roles.join(', ')}${selfWords}${keyWords} (permission "${rule.permission}": ${PERMISSIONS[rule.permission]}).`,
        extensions: {
          'x-tend-permission': rule.permission,
          'x-tend-roles': roles,
          ...(rule.self ? { 'x-tend-self': true } : {}),
          ...(rule.audit ? { 'x-tend-audit': rule.audit.action } : {}),
        },
      };
    }
    case 'api-key':
      return { security: [require('apiKey', scope ? [scope] : [])], words: `An API key with the "${scope}" scope.` };
    case 'signature':
      return { security: [require('webhookSignature')], words: "Signed with the source's secret." };
    case 'signed-link':
      return { security: [require('signedLink')], words: 'Reached by a signed link from an email.' };
    case 'public':
      return { security: [], words: 'Open to anyone.' };
    case 'session':
      throw new Error(`${key}: the dashboard's session routes are not in the document`);
    default:
      return assertUnreachable(route.auth);
  }
}

const pathParameters = (route: RouteSpec, doc: RouteDoc) =>
  [...route.path.matchAll(/\{([^}+]+)\+?\}/g)].map(([, name = '']) => {
    const description = doc.params?.[name] ?? PATH_PARAMETERS[name];
    if (!description) throw new Error(`${routeKey(route)}: say what the path parameter {${name}} is`);
    return { name, in: 'path', required: true, description, schema: { type: 'string' } };
  });

/** The query's properties as parameters; an object schema is what every route's query is. */
function queryParameters(doc: RouteDoc) {
  if (!doc.query) return [];
  const schema = jsonSchema(doc.query) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(schema.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: 'query',
      required: schema.required?.includes(name) ?? false,
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

function requestBody(doc: RouteDoc) {
  if (doc.body) return { required: true, content: { 'application/json': { schema: jsonSchema(doc.body) } } };
  if (doc.form) {
    return { content: { 'application/x-www-form-urlencoded': { schema: jsonSchema(doc.form) } } };
  }
  if (doc.raw) {
    return {
      required: true,
      description: doc.raw,
      content: { 'application/json': { schema: {} }, 'application/x-www-form-urlencoded': { schema: {} } },
    };
  }
  return undefined;
}

function responses(route: RouteSpec, doc: RouteDoc) {
  const answers = Object.fromEntries(
    Object.entries(doc.answers).map(([status, answer]) => {
      const { description, schema, html } = typeof answer === 'string' ? { description: answer } : answer;
      const content = html
        ? { 'text/html': { schema: { type: 'string' } } }
        : { 'application/json': { schema: schema ? jsonSchema(schema) : { type: 'object' } } };
      return [status, { description, content }];
    }),
  );
  const authenticated = route.auth !== 'public';
  return {
    ...answers,
    ...(authenticated ? { 401: refusal('No valid credentials') } : {}),
    ...(route.auth === 'user' || route.auth === 'user-or-api-key'
      ? { 403: refusal("The caller's role does not hold the permission") }
      : {}),
    '4XX': refusal('Refused: the code and message say why (invalid, unknown, conflict, too large, unprocessable)'),
    '5XX': refusal('Failed on our side: the message says nothing more'),
  };
}

function operation(route: RouteSpec) {
  const key = routeKey(route);
  const doc = ROUTE_DOCS[key];
  if (!doc) throw new Error(`${key} has no entry in shared/platform/route-schemas.ts`);
  const who = access(route, doc);
  const parameters = [
    ...pathParameters(route, doc),
    ...queryParameters(doc),
    ...(doc.headers ?? []).map((h) => ({ ...h, in: 'header', schema: { type: 'string' } })),
  ];
  const body = requestBody(doc);
  return {
    operationId: key.replace(/[^A-Za-z0-9]+/g, '_').replace(/_$/, ''),
    tags: [doc.tag],
    summary: doc.summary,
    description: [doc.description, who.words].filter(Boolean).join('\n\n'),
    security: who.security,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(body ? { requestBody: body } : {}),
    responses: responses(route, doc),
    'x-tend-auth': route.auth,
    ...('extensions' in who ? who.extensions : {}),
  };
}

let built: { paths: Record<string, Record<string, unknown>>; schemas: Record<string, JsonSchema> } | undefined;

/** Every documented route's operation by path and method, and the shared schemas: built once per warm function. */
function contents() {
  if (built) return built;
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes.filter(isDocumented)) {
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation(route) };
  }
  const schemas = Object.fromEntries(Object.entries(SHARED_SCHEMAS).map(([name, s]) => [name, definition(s)]));
  built = { paths, schemas };
  return built;
}

/** The OpenAPI 3.1 document of the API served at `serverUrl`. */
export function openApiDocument(serverUrl: string) {
  const { paths, schemas } = contents();
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tend API',
      version: '1',
      description:
        "Every route of the app but the dashboard's (its pages, forms, data and scripts are the browser's). Each operation names who may call it: the admin token, a user's personal token (the roles allowed are in its security requirement and `x-tend-roles`), an API key with a scope, a source's signature, a signed email link, or anyone.",
    },
    servers: [{ url: serverUrl }],
    components: { securitySchemes: SECURITY_SCHEMES, schemas },
    paths,
  };
}

import type { FunctionName } from './app-functions.ts';

export interface RouteSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** API Gateway v2 path, `{name}` for a path parameter. */
  path: string;
  function: FunctionName;
  /**
   * How the handler authenticates the caller (HTTP API authorizers are not used). `user`: the
   * admin token or a user's personal token, allowed by the route's permission in
   * `shared/people/access.ts` for the caller's role.
   */
  auth: 'signature' | 'user' | 'api-key' | 'user-or-api-key' | 'signed-link' | 'session' | 'public';
}

/** Every HTTP route of the app (read through `manifest.ts`). */
export const routes: readonly RouteSpec[] = [
  { method: 'POST', path: '/webhooks/{sourceId}', function: 'ingest-webhook', auth: 'signature' },
  { method: 'GET', path: '/api/contacts', function: 'get-contact', auth: 'user' },
  { method: 'POST', path: '/api/events', function: 'events-api', auth: 'api-key' },
  { method: 'GET', path: '/api/sources', function: 'sources-api', auth: 'user' },
  { method: 'POST', path: '/api/sources', function: 'sources-api', auth: 'user' },
  { method: 'GET', path: '/api/sources/{id}', function: 'sources-api', auth: 'user' },
  { method: 'POST', path: '/api/sources/{id}/rotate', function: 'sources-api', auth: 'user' },
  { method: 'POST', path: '/api/sources/{id}/disable', function: 'sources-api', auth: 'user' },
  { method: 'POST', path: '/api/sources/{id}/enable', function: 'sources-api', auth: 'user' },
  { method: 'GET', path: '/api/keys', function: 'keys-api', auth: 'user' },
  { method: 'POST', path: '/api/keys', function: 'keys-api', auth: 'user' },
  { method: 'POST', path: '/api/keys/{id}/revoke', function: 'keys-api', auth: 'user' },
  { method: 'GET', path: '/api/identity/conflicts', function: 'identity-api', auth: 'user' },
  { method: 'POST', path: '/api/identity/conflicts/{id}/dismiss', function: 'identity-api', auth: 'user' },
  { method: 'POST', path: '/api/imports', function: 'imports-api', auth: 'user-or-api-key' },
  { method: 'GET', path: '/api/imports/{id}', function: 'imports-api', auth: 'user-or-api-key' },
  { method: 'POST', path: '/api/imports/{id}/rows', function: 'imports-api', auth: 'user-or-api-key' },
  { method: 'POST', path: '/api/imports/{id}/complete', function: 'imports-api', auth: 'user-or-api-key' },
  { method: 'GET', path: '/api/endpoints', function: 'endpoints-api', auth: 'user' },
  { method: 'POST', path: '/api/endpoints', function: 'endpoints-api', auth: 'user' },
  { method: 'GET', path: '/api/endpoints/{id}', function: 'endpoints-api', auth: 'user' },
  { method: 'POST', path: '/api/endpoints/{id}/rotate', function: 'endpoints-api', auth: 'user' },
  { method: 'POST', path: '/api/endpoints/{id}/disable', function: 'endpoints-api', auth: 'user' },
  { method: 'GET', path: '/api/endpoints/{id}/deliveries', function: 'endpoints-api', auth: 'user' },
  { method: 'GET', path: '/api/templates', function: 'templates-api', auth: 'user' },
  { method: 'GET', path: '/api/templates/{id}', function: 'templates-api', auth: 'user' },
  { method: 'PUT', path: '/api/templates/{id}', function: 'templates-api', auth: 'user' },
  { method: 'GET', path: '/api/templates/{id}/versions', function: 'templates-api', auth: 'user' },
  { method: 'POST', path: '/api/templates/{id}/preview', function: 'templates-api', auth: 'user' },
  { method: 'POST', path: '/api/templates/{id}/test-send', function: 'templates-api', auth: 'user' },
  { method: 'GET', path: '/api/journeys', function: 'journeys-api', auth: 'user' },
  { method: 'POST', path: '/api/journeys/validate', function: 'journeys-api', auth: 'user' },
  { method: 'GET', path: '/api/journeys/{id}', function: 'journeys-api', auth: 'user' },
  { method: 'PUT', path: '/api/journeys/{id}', function: 'journeys-api', auth: 'user' },
  { method: 'POST', path: '/api/journeys/{id}/validate', function: 'journeys-api', auth: 'user' },
  { method: 'POST', path: '/api/journeys/{id}/publish', function: 'journeys-api', auth: 'user' },
  { method: 'POST', path: '/api/journeys/{id}/pause', function: 'journeys-api', auth: 'user' },
  { method: 'POST', path: '/api/journeys/{id}/resume', function: 'journeys-api', auth: 'user' },
  { method: 'POST', path: '/api/journeys/{id}/archive', function: 'journeys-api', auth: 'user' },
  { method: 'GET', path: '/api/journeys/{id}/versions', function: 'journeys-api', auth: 'user' },
  { method: 'GET', path: '/api/journeys/{id}/versions/{version}', function: 'journeys-api', auth: 'user' },
  { method: 'POST', path: '/api/journeys/{id}/simulate', function: 'journeys-api', auth: 'user' },
  { method: 'POST', path: '/api/journeys/{id}/backtest', function: 'journeys-api', auth: 'user' },
  { method: 'GET', path: '/api/tasks', function: 'journeys-api', auth: 'user' },
  { method: 'POST', path: '/api/tasks/{id}/done', function: 'journeys-api', auth: 'user' },
  { method: 'GET', path: '/api/segments', function: 'segments-api', auth: 'user' },
  { method: 'GET', path: '/api/segments/{id}', function: 'segments-api', auth: 'user' },
  { method: 'PUT', path: '/api/segments/{id}', function: 'segments-api', auth: 'user' },
  { method: 'GET', path: '/api/segments/{id}/members', function: 'segments-api', auth: 'user' },
  { method: 'GET', path: '/api/reports/kpis', function: 'reports-api', auth: 'user' },
  { method: 'GET', path: '/api/reports/journeys', function: 'reports-api', auth: 'user' },
  { method: 'GET', path: '/api/users', function: 'users-api', auth: 'user' },
  { method: 'POST', path: '/api/users', function: 'users-api', auth: 'user' },
  { method: 'GET', path: '/api/users/{userId}', function: 'users-api', auth: 'user' },
  { method: 'PATCH', path: '/api/users/{userId}', function: 'users-api', auth: 'user' },
  { method: 'DELETE', path: '/api/users/{userId}', function: 'users-api', auth: 'user' },
  { method: 'GET', path: '/api/users/{userId}/tokens', function: 'users-api', auth: 'user' },
  { method: 'POST', path: '/api/users/{userId}/tokens', function: 'users-api', auth: 'user' },
  { method: 'POST', path: '/api/users/{userId}/tokens/{tokenId}/revoke', function: 'users-api', auth: 'user' },
  { method: 'GET', path: '/api/audit', function: 'users-api', auth: 'user' },
  { method: 'POST', path: '/api/contacts/{contactId}/unsubscribe', function: 'contact-consent', auth: 'user' },
  { method: 'POST', path: '/api/contacts/{contactId}/resubscribe', function: 'contact-consent', auth: 'user' },
  { method: 'GET', path: '/api/contacts/{contactId}/export', function: 'privacy-api', auth: 'user' },
  { method: 'POST', path: '/api/contacts/{contactId}/erase', function: 'privacy-api', auth: 'user' },
  { method: 'GET', path: '/api/privacy/requests/{requestId}', function: 'privacy-api', auth: 'user' },
  { method: 'GET', path: '/api/openapi.json', function: 'journeys-api', auth: 'public' },
  { method: 'GET', path: '/unsubscribe', function: 'unsubscribe', auth: 'signed-link' },
  { method: 'POST', path: '/unsubscribe', function: 'unsubscribe', auth: 'signed-link' },
  { method: 'GET', path: '/preferences', function: 'preferences', auth: 'signed-link' },
  { method: 'POST', path: '/preferences', function: 'preferences', auth: 'signed-link' },
  { method: 'GET', path: '/health', function: 'health', auth: 'public' },
  // The dashboard signs people in (password, single sign-on or the admin token) into server-side sessions.
  { method: 'GET', path: '/dashboard', function: 'dashboard', auth: 'session' },
  { method: 'GET', path: '/dashboard/{page}', function: 'dashboard', auth: 'session' },
  { method: 'POST', path: '/dashboard/sign-in', function: 'dashboard', auth: 'session' },
  { method: 'POST', path: '/dashboard/sign-out', function: 'dashboard', auth: 'session' },
  // The link of an invitation: the invited person sets a password (GET is the page, by /dashboard/{page}).
  { method: 'POST', path: '/dashboard/invitation', function: 'dashboard', auth: 'session' },
  { method: 'GET', path: '/dashboard/data/{name}', function: 'dashboard', auth: 'session' },
  // The browser client's files by hashed name, chunks included (chunks/…): code without data, served to anyone.
  { method: 'GET', path: '/dashboard/assets/{file+}', function: 'dashboard', auth: 'session' },
];

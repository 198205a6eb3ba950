import type { Permission } from './roles.ts';

/**
 * What each authenticated API route needs, keyed by its route key (`METHOD /path`, as in
 * `infra/manifest.ts`): the permission, and for every change (and the export of a person's data)
 * the audit entry it leaves, in words; every request made with the admin token is audited too. `{name}` in a phrase is the path parameter,
 * `{response.name}` a field of the JSON answer. A path parameter naming a person (`contactId`) is
 * written as its keyed hash, so that an erase leaves no contact id in the log.
 */
export interface RouteAccess {
  permission: Permission;
  /** Also allowed to the user the path's `{userId}` names (their own tokens). */
  self?: true;
  audit?: { action: string; target: string; summary: string };
}

const audit = (action: string, target: string, summary: string) => ({ audit: { action, target, summary } });
const read: RouteAccess = { permission: 'read' };
const write = (action: string, target: string, summary: string): RouteAccess => ({
  permission: 'content:write',
  ...audit(action, target, summary),
});
const admin = (permission: Permission, action: string, target: string, summary: string): RouteAccess => ({
  permission,
  ...audit(action, target, summary),
});

export const ROUTE_ACCESS: Record<string, RouteAccess> = {
  'GET /api/contacts': read,
  'GET /api/sources': { permission: 'sources:manage' },
  'GET /api/sources/{id}': { permission: 'sources:manage' },
  'POST /api/sources': admin(
    'sources:manage',
    'source.create',
    'source:{response.sourceId}',
    'created source {response.sourceId}',
  ),
  'POST /api/sources/{id}/rotate': admin(
    'sources:manage',
    'source.rotate',
    'source:{id}',
    'rotated the secret of source {id}',
  ),
  'POST /api/sources/{id}/disable': admin('sources:manage', 'source.disable', 'source:{id}', 'disabled source {id}'),
  'POST /api/sources/{id}/enable': admin('sources:manage', 'source.enable', 'source:{id}', 'enabled source {id}'),
  'GET /api/keys': { permission: 'sources:manage' },
  'POST /api/keys': admin('sources:manage', 'key.create', 'key:{response.keyId}', 'created API key {response.keyId}'),
  'POST /api/keys/{id}/revoke': admin('sources:manage', 'key.revoke', 'key:{id}', 'revoked API key {id}'),
  'GET /api/identity/conflicts': read,
  'POST /api/identity/conflicts/{id}/dismiss': admin(
    'contacts:manage',
    'conflict.dismiss',
    'conflict:{id}',
    'dismissed identity conflict {id}',
  ),
  'POST /api/imports': admin(
    'contacts:manage',
    'import.start',
    'import:{response.importId}',
    'started import {response.importId}',
  ),
  'GET /api/imports/{id}': { permission: 'contacts:manage' },
  'POST /api/imports/{id}/rows': { permission: 'contacts:manage' },
  'POST /api/imports/{id}/complete': admin(
    'contacts:manage',
    'import.complete',
    'import:{id}',
    'completed import {id}',
  ),
  'GET /api/endpoints': { permission: 'sources:manage' },
  'GET /api/endpoints/{id}': { permission: 'sources:manage' },
  'GET /api/endpoints/{id}/deliveries': { permission: 'sources:manage' },
  'POST /api/endpoints': admin(
    'sources:manage',
    'endpoint.create',
    'endpoint:{response.endpointId}',
    'created outbound endpoint {response.endpointId}',
  ),
  'POST /api/endpoints/{id}/rotate': admin(
    'sources:manage',
    'endpoint.rotate',
    'endpoint:{id}',
    'rotated the secret of outbound endpoint {id}',
  ),
  'POST /api/endpoints/{id}/disable': admin(
    'sources:manage',
    'endpoint.disable',
    'endpoint:{id}',
    'disabled outbound endpoint {id}',
  ),
  'GET /api/templates': read,
  'GET /api/templates/{id}': read,
  'GET /api/templates/{id}/versions': read,
  'PUT /api/templates/{id}': write(
    'template.save',
    'template:{id}',
    'saved template {id} as version {response.version}',
  ),
  'POST /api/templates/{id}/preview': read,
  'POST /api/templates/{id}/test-send': write('template.test-send', 'template:{id}', 'sent a test of template {id}'),
  'GET /api/journeys': read,
  'POST /api/journeys/validate': read,
  'GET /api/journeys/{id}': read,
  'PUT /api/journeys/{id}': write(
    'journey.save',
    'journey:{id}',
    'saved draft revision {response.revision} of journey {id}',
  ),
  'POST /api/journeys/{id}/validate': read,
  'POST /api/journeys/{id}/publish': write(
    'journey.publish',
    'journey:{id}',
    'published journey {id} as version {response.version}',
  ),
  'POST /api/journeys/{id}/pause': write('journey.pause', 'journey:{id}', 'paused journey {id}'),
  'POST /api/journeys/{id}/resume': write('journey.resume', 'journey:{id}', 'resumed journey {id}'),
  'POST /api/journeys/{id}/archive': write('journey.archive', 'journey:{id}', 'archived journey {id}'),
  'GET /api/journeys/{id}/versions': read,
  'GET /api/journeys/{id}/versions/{version}': read,
  'POST /api/journeys/{id}/simulate': read,
  'POST /api/journeys/{id}/backtest': read,
  'GET /api/tasks': read,
  'POST /api/tasks/{id}/done': write('task.done', 'task:{id}', 'closed task {id}'),
  'GET /api/segments': read,
  'GET /api/segments/{id}': read,
  'PUT /api/segments/{id}': write('segment.save', 'segment:{id}', 'saved the rule of segment {id}'),
  'GET /api/segments/{id}/members': read,
  'GET /api/reports/kpis': read,
  'GET /api/reports/journeys': read,
  'GET /api/users': { permission: 'users:manage' },
  'POST /api/users': admin(
    'users:manage',
    'user.create',
    'user:{response.user.userId}',
    'invited {response.user.email} as {response.user.role}',
  ),
  'GET /api/users/{userId}': { permission: 'users:manage', self: true },
  'PATCH /api/users/{userId}': admin(
    'users:manage',
    'user.update',
    'user:{userId}',
    'changed user {userId}: {response.changes}',
  ),
  'DELETE /api/users/{userId}': admin('users:manage', 'user.delete', 'user:{userId}', 'deleted user {userId}'),
  'GET /api/users/{userId}/tokens': { permission: 'users:manage', self: true },
  'POST /api/users/{userId}/tokens': {
    permission: 'users:manage',
    self: true,
    ...audit(
      'token.create',
      'user:{userId}',
      'created personal token "{response.name}" ({response.tokenId}) for user {userId}',
    ),
  },
  'POST /api/users/{userId}/tokens/{tokenId}/revoke': {
    permission: 'users:manage',
    self: true,
    ...audit('token.revoke', 'user:{userId}', 'revoked personal token {tokenId} of user {userId}'),
  },
  'GET /api/audit': { permission: 'audit:read' },
  'POST /api/contacts/{contactId}/unsubscribe': admin(
    'contacts:consent',
    'contact.unsubscribe',
    'contact:{contactId}',
    'recorded that contact {contactId} asked to leave {response.topic}',
  ),
  'POST /api/contacts/{contactId}/resubscribe': admin(
    'contacts:consent',
    'contact.resubscribe',
    'contact:{contactId}',
    'recorded that contact {contactId} asked to rejoin {response.topic}',
  ),
  'GET /api/contacts/{contactId}/export': admin(
    'privacy:manage',
    'contact.export',
    'contact:{contactId}',
    'exported the data held about contact {contactId}',
  ),
  'POST /api/contacts/{contactId}/erase': admin(
    'privacy:manage',
    'contact.erase',
    'privacy-request:{response.requestId}',
    'asked to erase a person (privacy request {response.requestId})',
  ),
  'GET /api/privacy/requests/{requestId}': { permission: 'privacy:manage' },
};

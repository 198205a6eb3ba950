import { listAudit } from '#people/audit.ts';
import type { AuditStore } from '#people/store.ts';

/** The dashboard's audit page: a page of the log, newest first, filtered as the API filters it. */
export async function auditData(people: AuditStore, query: Record<string, string | undefined>) {
  const { entries, cursor } = await listAudit(people, { limit: '50', ...query });
  return {
    entries: entries.map((e) => ({
      auditId: e.auditId,
      at: e.at,
      actor: {
        kind: e.actor.kind,
        role: e.actor.role,
        userId: e.actor.userId ?? null,
        email: e.actor.email ?? null,
        tokenName: e.actor.tokenName ?? null,
        via: e.actor.via ?? null,
      },
      action: e.action,
      target: e.target,
      summary: e.summary,
      status: e.status,
      ip: e.ip ?? null,
      userAgent: e.userAgent ?? null,
    })),
    /** Where the next (older) page starts; null on the last one. */
    cursor: cursor ?? null,
  };
}

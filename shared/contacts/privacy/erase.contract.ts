import { randomUUID } from 'node:crypto';
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { Clock } from '#core/clock.ts';
import type { TimelineEvent } from '#core/contact.ts';
import { deterministicId } from '#core/ids.ts';
import { createDynamoOutboundStore } from '#messaging/dynamo-outbound.ts';
import { newDelivery } from '#messaging/outbound.ts';
import { createDynamoStore } from '#platform/dynamo-store.ts';
import { createDynamoAggregates } from '#reports/dynamo-aggregates.ts';
import { resolveContact } from '../identity.ts';
import { createDynamoPersonStore } from './dynamo-person-items.ts';
import { createDynamoPrivacy } from './dynamo-privacy.ts';
import { runErase } from './erase.ts';
import { mentions } from './traces.ts';

/**
 * The erase against the table's key layout: a person written into every key space through the
 * capabilities' own stores, next to a bystander who shares a segment, an endpoint and an import
 * with them. After the erase no item holds anything of the person (nested or as JSON text), every
 * item of the bystander is unchanged, and the segment counts one member fewer. Run by
 * `test/integration/privacy.test.ts` on a table of its own on DynamoDB Local.
 */
export function eraseContract(db: DynamoDBDocumentClient, tableName: () => string) {
  const at = '2026-06-01T10:00:00.000Z';
  const clock: Clock = { now: () => new Date(at) };
  const tag = randomUUID().slice(0, 8);
  const segmentId = `seg-${tag}`;
  const endpointId = `ep-${tag}`;
  const importId = `imp-${tag}`;

  const scan = async () => {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await db.send(new ScanCommand({ TableName: tableName(), ExclusiveStartKey: startKey }));
      items.push(...(out.Items ?? []));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return items;
  };

  /** One person in every key space; answers what names them. */
  async function seedPerson(name: string) {
    const store = createDynamoStore(db, tableName());
    const deps = { store, clock };
    const email = `${name}-${tag}@example.com`;
    const phone = `+4420${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
    const profile = { firstName: `First${name}${tag}`, lastName: `Last${name}${tag}` };
    const inboxId = `demo-form:msg-${name}-${tag}`;
    const { contactId } = await resolveContact(deps, {
      identifiers: { email, phone },
      cause: inboxId,
      at,
      profile,
      source: 'demo-form',
    });
    // An anonymous visitor merged into them later: two contacts, one person.
    const anonymousId = `anon-${name}-${tag}`;
    const anon = await resolveContact(deps, { identifiers: { anonymousId }, cause: `api:a-${name}-${tag}`, at });
    await resolveContact(deps, { identifiers: { email, anonymousId }, cause: `api:m-${name}-${tag}`, at });
    await store.putInboxOnce({
      inboxId,
      sourceId: 'demo-form',
      webhookId: `msg-${name}-${tag}`,
      receivedAt: at,
      body: JSON.stringify({ email, ...profile }),
      status: 'processed',
    });
    const order: TimelineEvent = {
      eventId: `order.placed:demo-form:o-${name}-${tag}`,
      contactId,
      name: 'order.placed',
      at,
      data: { orderId: `o-${name}-${tag}`, provider: 'shop', cause: inboxId, sourceId: 'demo-form' },
    };
    const due = { dueAt: '2999-01-01T05:00:00.000Z', kind: 'scores' as const, journeyId: '', trigger: 0, basis: at };
    await store.appendEventWith(order, { orderRef: `shop:o-${name}-${tag}`, dues: [{ ...due, contactId }] });
    const enrollmentId = `enr-${name}-${tag}`;
    const entered: TimelineEvent = {
      eventId: `journey.entered:${enrollmentId}`,
      contactId,
      name: 'journey.entered',
      at,
      data: {},
    };
    const enrollment = {
      enrollmentId,
      contactId,
      journeyId: 'onboarding',
      journeyVersion: 1,
      triggerEventId: order.eventId,
      status: 'active' as const,
      enteredAt: at,
      executionArn: `arn:aws:states:us-east-1:000000000000:execution:tend-onboarding:${enrollmentId}`,
    };
    await store.enroll(enrollment, { reentry: { mode: 'always' }, entered });
    await store.putWaiter({
      contactId,
      event: 'order.placed',
      enrollmentId,
      nodeId: 'wait',
      journeyId: 'onboarding',
      token: `token-${name}`,
      where: [],
      since: at,
      expiresAt: 4_102_444_800,
    });
    const sendKey = `${enrollmentId}#welcome`;
    await store.claimSend({ contactId, sendKey, kind: 'journey', template: 'welcome', claimedAt: at });
    const sent: TimelineEvent = {
      eventId: `email.sent:${enrollmentId}:welcome`,
      contactId,
      name: 'email.sent',
      at,
      data: { messageId: `ses-${name}-${tag}`, template: 'welcome' },
    };
    await store.recordSent({ messageId: `ses-${name}-${tag}`, contactId, sendKey }, at, sent);
    await store.putSuppression({ email, reason: 'bounce', at, messageId: `ses-${name}-${tag}` });
    const membership = { segmentId, contactId, enteredAt: at, revision: 1, email };
    const segmentEvent: TimelineEvent = {
      eventId: `segment.entered:${segmentId}:${at}`,
      contactId,
      name: 'segment.entered',
      at,
      data: { segmentId },
    };
    await store.enterSegment(membership, segmentEvent);
    await store.putTask({
      taskId: `task-${name}-${tag}`,
      contactId,
      journeyId: 'onboarding',
      enrollmentId,
      nodeId: 'call',
      subject: `Call ${profile.firstName}`,
      message: `Ring ${phone}`,
      createdAt: at,
      status: 'open',
    });
    await store.putConflict({
      conflictId: `x-${name}-${tag}`,
      kind: 'different-identifier',
      contactIds: [contactId],
      identifiers: { email },
      cause: inboxId,
      detail: `${contactId} has email ${email}`,
      at,
      status: 'open',
    });
    await store.recordImportBatch(
      importId,
      name === 'ada' ? 2 : 3,
      { rows: 1, created: 0, updated: 0, unchanged: 0, failed: 1, conflicts: 0 },
      [{ row: name === 'ada' ? 2 : 3, message: 'bad phone', values: { email, phone: 'nope' } }],
    );
    // A marker named by one of their events (an id that holds the contact id).
    const unsubscribed = `contact.unsubscribed:${contactId}:all:${at}`;
    await store.appendEvent({ eventId: unsubscribed, contactId, name: 'contact.unsubscribed', at, data: {} });
    await createDynamoAggregates(db, tableName()).applyBatch({
      increments: [{ key: `kpi#day#${at.slice(0, 10)}`, field: 'contacts_new', by: 1 }],
      markers: [unsubscribed],
      contacts: [{ contactId, ids: [order.eventId], state: { createdAt: at } }],
    });
    const outbound = createDynamoOutboundStore(db, tableName());
    await outbound.createDelivery(
      newDelivery(
        {
          deliveryId: deterministicId('msg', endpointId, order.eventId),
          endpointId,
          key: order.eventId,
          eventType: 'order.placed',
          payload: JSON.stringify({ type: 'order.placed', data: { contactId, details: { email } } }),
        },
        new Date(at),
      ),
    );
    return { contactId, anon: anon.contactId, email, phone, ...profile, enrollment };
  }

  describe('erasing a person from every key space', () => {
    it('leaves nothing of them, counts each item once, leaves the bystander whole and the segment one member fewer', async () => {
      const store = createDynamoStore(db, tableName());
      await store.saveSegment(
        {
          id: segmentId,
          name: 'Both',
          match: 'all',
          conditions: [{ kind: 'tag', tag: 'x', has: true }],
          revision: 1,
          createdAt: at,
          updatedAt: at,
          updatedBy: 't',
        },
        undefined,
      );
      await createDynamoOutboundStore(db, tableName()).createEndpoint({
        endpointId,
        url: 'https://hooks.example.com/in',
        events: ['*'],
        status: 'active',
        createdAt: at,
        createdBy: 't',
        updatedAt: at,
        secrets: [{ sealed: 'sealed', createdAt: at }],
      });
      await store.createImport({
        importId,
        mode: 'merge',
        dryRun: false,
        status: 'running',
        createdAt: at,
        createdBy: 't',
        counts: { rows: 0, created: 0, updated: 0, unchanged: 0, failed: 0, conflicts: 0 },
      });
      const ada = await seedPerson('ada');
      const bo = await seedPerson('bo');
      const needles = (p: typeof ada) => ({
        contains: [p.contactId, p.anon, p.email, p.firstName, p.lastName],
        equals: [p.phone],
      });
      const before = await scan();
      const hers = before.filter((item) => mentions(item, needles(ada)));
      const his = before.filter((item) => mentions(item, needles(bo)));
      expect(hers.length).toBeGreaterThan(25);
      expect((await store.getSegment(segmentId))?.members).toBe(2);

      const privacy = createDynamoPrivacy(db, tableName());
      const requestId = `pr-${tag}`;
      const request = {
        requestId,
        kind: 'erase' as const,
        status: 'running' as const,
        requestedAt: at,
        startedAt: at,
        removed: {},
        hash: `h-${tag}`,
        contactId: ada.contactId,
      };
      await privacy.createRequest(request);
      const stopped: string[] = [];
      const deps = {
        privacy,
        people: createDynamoPersonStore(db, tableName()),
        store,
        runtime: {
          stop: async (arn: string) => void stopped.push(arn),
          executionArnFor: (m: string, n: string) => `${m}:${n}`,
        },
        clock,
      };
      // Two runs of the same request at once (a retry overlapping a slow first run).
      const outcomes = await Promise.all([runErase(deps, requestId), runErase(deps, requestId)]);

      const after = await scan();
      expect(after.filter((item) => mentions(item, needles(ada)))).toEqual([]);
      expect(after.filter((item) => mentions(item, needles(bo)))).toEqual(his);
      expect((await store.getSegment(segmentId))?.members).toBe(1);
      expect(stopped).toContain(ada.enrollment.executionArn);
      const done = await privacy.getRequest(requestId);
      expect(done).toMatchObject({ status: 'done', doneAt: at, hash: `h-${tag}` });
      expect(done?.contactId).toBeUndefined();
      const counted = Object.values(done?.removed ?? {}).reduce((a, b) => a + b, 0);
      // Every item is removed by one run and counted once, whichever run removed it: her items,
      // and the ones that named her only by key (an identity, an order reference, a due item).
      const added = after.filter((item) => /^(PRIVACY|ERASED)#/.test(String(item.pk)));
      expect(added).toHaveLength(2);
      expect(counted).toBe(before.length - (after.length - added.length));
      expect(outcomes.map((o) => ('removed' in o ? o.removed : 0)).reduce((a, b) => a + b, 0)).toBe(counted);
      expect(done?.removed).toMatchObject({
        contact: 2,
        identity: 3,
        event: expect.any(Number),
        'segment-member': 1,
        'webhook-delivery': 1,
      });
      expect(await privacy.getErased(`h-${tag}`)).toMatchObject({ requestId });
      expect(await runErase(deps, requestId)).toEqual({ outcome: 'done-before' });
    });
  });
}

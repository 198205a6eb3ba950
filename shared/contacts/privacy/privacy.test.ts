import { beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '#core/clock.ts';
import type { Contact, Enrollment } from '#core/contact.ts';
import { createMemoryStore } from '#platform/memory-store.ts';
import { ContactError } from '../errors.ts';
import { resolveContact } from '../identity.ts';
import { ERASED_ROW_MESSAGE, importRows, startImport } from '../imports.ts';
import { requestErase, runErase, STALE_REQUEST_MS } from './erase.ts';
import { createErasedAddresses } from './erased-addresses.ts';
import { createMemoryPrivacy } from './memory-privacy.ts';
import type { ItemRef, PersonRecords } from './model.ts';
import type { PersonStore } from './store.ts';
import { mentions } from './traces.ts';

const SECRET = 'link-secret-for-tests-0123456789';
let now = new Date('2026-05-01T10:00:00Z');
const clock: Clock = { now: () => now };
const secret = async () => SECRET;

const ada: Contact = {
  contactId: 'c-ada',
  email: 'ada@example.com',
  firstName: 'Ada',
  properties: {},
  createdAt: '2026-04-01T00:00:00Z',
  updatedAt: '2026-04-01T00:00:00Z',
  createdBy: 'demo-form:msg_1',
};
const running: Enrollment = {
  enrollmentId: 'enr-1',
  contactId: 'c-ada',
  journeyId: 'onboarding',
  journeyVersion: 1,
  triggerEventId: 'form.submitted:demo-form:form:msg_1',
  status: 'active',
  enteredAt: '2026-04-01T00:00:00Z',
  executionArn: 'arn:aws:states:us-east-1:000000000000:execution:tend-onboarding:enr-1',
};

/** A person's items in a map, as a table would keep them; removal counts into the request. */
function fakePeople(privacy: ReturnType<typeof createMemoryPrivacy>) {
  const items = new Map<string, ItemRef>();
  const put = (ref: ItemRef) => items.set(`${ref.pk}\n${ref.sk}`, ref);
  const removals: string[] = [];
  let failNext = false;
  put({ pk: 'CONTACT#c-ada', sk: 'PROFILE', type: 'contact' });
  put({ pk: 'CONTACT#c-ada', sk: 'EVENT#e1', type: 'event' });
  put({ pk: 'CONTACT#c-ada', sk: 'ENROLLMENT#enr-1', type: 'enrollment' });
  put({ pk: 'IDENTITY#email#ada@example.com', sk: 'IDENTITY', type: 'identity' });
  put({ pk: 'SEGMENT#vips', sk: 'c-ada', type: 'segment-member' });
  const store: PersonStore = {
    async readPerson(contactId) {
      const own = [...items.values()].filter((i) => i.pk === `CONTACT#${contactId}`);
      const profile = own.find((i) => i.sk === 'PROFILE');
      const records: PersonRecords = {
        contactId,
        events: [],
        enrollments: own.some((i) => i.type === 'enrollment') ? [running] : [],
        sends: [],
        memberships: [],
        items: own.filter((i) => i !== profile),
        ...(profile ? { contact: ada, profile } : {}),
      };
      return records;
    },
    async findLinked() {
      return [...items.values()].filter((i) => !i.pk.startsWith('CONTACT#'));
    },
    async removeItems(requestId, refs) {
      if (failNext) {
        failNext = false;
        throw new Error('the table is unreachable');
      }
      let removed = 0;
      for (const ref of refs) {
        if (!items.delete(`${ref.pk}\n${ref.sk}`)) continue;
        removals.push(ref.sk === 'PROFILE' ? 'profile' : ref.type);
        privacy.addRemoved(requestId, ref.type, 1);
        removed++;
      }
      return removed;
    },
  };
  return { store, items, removals, failOnce: () => (failNext = true) };
}

let memory: ReturnType<typeof createMemoryStore>;
let privacy: ReturnType<typeof createMemoryPrivacy>;
let stopped: string[];
beforeEach(async () => {
  now = new Date('2026-05-01T10:00:00Z');
  memory = createMemoryStore();
  privacy = createMemoryPrivacy();
  stopped = [];
  await resolveContact(
    { store: memory.store, clock },
    { identifiers: { email: ada.email }, cause: 'seed', at: ada.createdAt },
  );
});
const adaId = async () => (await memory.store.findContactIdByEmail('ada@example.com')) as string;
const requestDeps = () => ({ privacy, store: memory.store, secret, clock });
const eraseDeps = (people: PersonStore) => ({
  privacy,
  people,
  store: memory.store,
  runtime: {
    stop: async (arn: string) => void stopped.push(arn),
    executionArnFor: (m: string, n: string) => `${m}:${n}`,
  },
  clock,
});

describe('erase requests', () => {
  it('records a running request named by a keyed hash, and answers the same request when asked again', async () => {
    const first = await requestErase(requestDeps(), await adaId());
    expect(first).toEqual({
      requestId: expect.stringMatching(/^pr-[\w-]{32}$/),
      status: 'running',
      requestedAt: now.toISOString(),
    });
    expect(first.requestId).not.toContain(await adaId());
    const stored = await privacy.getRequest(first.requestId);
    expect(stored?.hash).toBe(await createErasedAddresses(privacy, secret).hashOf('ADA@example.com'));
    now = new Date(now.getTime() + 60_000);
    expect(await requestErase(requestDeps(), await adaId())).toEqual(first);
    expect(privacy.restarts()).toBe(0);
  });

  it('restarts a request its consumer gave up on', async () => {
    const first = await requestErase(requestDeps(), await adaId());
    now = new Date(now.getTime() + STALE_REQUEST_MS + 1);
    expect((await requestErase(requestDeps(), await adaId())).requestId).toBe(first.requestId);
    expect(privacy.restarts()).toBe(1);
  });

  it('refuses a contact that does not exist', async () => {
    await expect(requestErase(requestDeps(), 'c-nobody')).rejects.toThrow(ContactError);
  });
});

describe('running an erase', () => {
  const request = async () => {
    await privacy.createRequest({
      requestId: 'pr-1',
      kind: 'erase',
      status: 'running',
      requestedAt: now.toISOString(),
      startedAt: now.toISOString(),
      removed: {},
      hash: 'h-ada',
      contactId: 'c-ada',
    });
    return 'pr-1';
  };

  it('stops executions, removes the linked items, then the partition, the profile last, and lists the hash', async () => {
    const people = fakePeople(privacy);
    const outcome = await runErase(eraseDeps(people.store), await request());
    expect(outcome).toEqual({ outcome: 'done', removed: 5, stopped: 1 });
    expect(stopped).toEqual([running.executionArn]);
    expect(people.items.size).toBe(0);
    expect(people.removals.at(-1)).toBe('profile');
    expect(people.removals.slice(0, 2).sort()).toEqual(['identity', 'segment-member']);
    const done = await privacy.getRequest('pr-1');
    expect(done).toEqual({
      requestId: 'pr-1',
      kind: 'erase',
      status: 'done',
      requestedAt: now.toISOString(),
      startedAt: now.toISOString(),
      doneAt: now.toISOString(),
      removed: { identity: 1, 'segment-member': 1, event: 1, enrollment: 1, contact: 1 },
      hash: 'h-ada',
    });
    expect(await privacy.getErased('h-ada')).toEqual({ hash: 'h-ada', erasedAt: now.toISOString(), requestId: 'pr-1' });
  });

  it('finishes after a crash part-way, counting every item once, and a second run changes nothing', async () => {
    const people = fakePeople(privacy);
    const id = await request();
    const deps = eraseDeps(people.store);
    people.failOnce();
    await expect(runErase(deps, id)).rejects.toThrow('unreachable');
    expect((await privacy.getRequest(id))?.status).toBe('running');
    expect(people.items.size).toBe(5);

    expect(await runErase(deps, id)).toMatchObject({ outcome: 'done', removed: 5 });
    expect(Object.values((await privacy.getRequest(id))?.removed ?? {}).reduce((a, b) => a + b, 0)).toBe(5);
    expect(await runErase(deps, id)).toEqual({ outcome: 'done-before' });
    expect(people.removals).toHaveLength(5);
  });
});

describe('the erased-address list', () => {
  const rows = (email: string) => ({ firstRow: 2, rows: [{ email, 'First Name': 'Ada' }] });

  it('refuses an import row of an erased address, without keeping its values, until the person signs up again', async () => {
    const erased = createErasedAddresses(privacy, secret);
    const bea = 'bea@example.com';
    await privacy.putErased({ hash: await erased.hashOf(bea), erasedAt: now.toISOString(), requestId: 'pr-b' });
    const deps = { store: memory.store, clock, erased };

    for (const dryRun of [true, false]) {
      const started = await startImport(deps, { dryRun }, 'admin');
      const batch = await importRows(deps, started.importId, rows(bea));
      expect(batch.counts).toMatchObject({ created: 0, failed: 1 });
      expect(batch.errors).toEqual([{ row: 2, message: ERASED_ROW_MESSAGE }]);
    }
    expect(await memory.store.findContactIdByEmail(bea)).toBeUndefined();

    // Bea fills in a form herself: a contact holds her address again, and a later import updates her.
    await resolveContact(
      { store: memory.store, clock },
      { identifiers: { email: bea }, cause: 'form:1', at: now.toISOString() },
    );
    const later = await startImport(deps, {}, 'admin');
    expect((await importRows(deps, later.importId, rows(bea))).counts).toMatchObject({ updated: 1, failed: 0 });
  });
});

describe('traces of a person', () => {
  const needles = { contains: ['ada@example.com', 'c-ada'], equals: ['+4420794600'] };

  it.each([
    ['a nested map', { a: { b: [{ c: 'to ada@example.com' }] } }, true],
    ['a string set', new Set(['x', 'c-ada']), true],
    ['JSON kept as a string', { payload: JSON.stringify({ data: { email: 'ada@example.com' } }) }, true],
    ['a map key', { 'c-ada': 1 }, true],
    ['a phone, whole', { phone: '+4420794600' }, true],
    ['a phone, inside other digits', { n: '1+44207946001' }, false],
    ['nothing of hers', { email: 'bo@example.com', n: 3 }, false],
  ])('finds them in %s: %s', (_what, value, found) => {
    expect(mentions(value, needles)).toBe(found);
  });
});

import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { adminCall, eventsKey, eventually, getContact, postWebhook, stack, uniqueEmail } from '../support/local.ts';

/**
 * Segments on the local stack: memberships kept by the event stream's consumer, a journey that
 * enrolls whoever enters, and a rule change that re-evaluates only the contacts it can move.
 * Only this file sells in Swedish kronor, so its segment holds nobody else.
 */
describe('segments', () => {
  const suffix = randomUUID().slice(0, 6);
  const segmentId = `sek-repeat-${suffix}`;
  const journeyId = `sek-thanks-${suffix}`;
  const sekOrder = { path: 'total.currency', op: 'eq', value: 'SEK' };
  const repeat = {
    kind: 'event',
    event: 'order.placed',
    where: [sekOrder],
    count: { op: 'gte', value: 2 },
    within: { days: 90 },
  };
  const bigOrder = {
    kind: 'event',
    event: 'order.placed',
    where: [sekOrder, { path: 'total.amountMinor', op: 'gte', value: 50_000 }],
  };

  const order = (email: string, amountMinor: number) =>
    postWebhook({
      body: JSON.stringify({
        type: 'order.placed',
        data: { email, orderId: `o-${randomUUID()}`, total: { amountMinor, currency: 'SEK' }, lineItems: [] },
      }),
    });
  const contactId = async (email: string) =>
    eventually(`contact ${email}`, async () => (await getContact(email)).body.contact?.contactId);
  const members = async () =>
    ((await adminCall('GET', `/api/segments/${segmentId}/members?limit=100`)).json.members as { contactId: string }[])
      .map((m) => m.contactId)
      .sort();

  it('keeps members as orders arrive, enrolls who enters, and re-evaluates only the members when the rule narrows', async () => {
    // Arrange: the segment, and a journey that starts when a contact enters it.
    const created = await adminCall('PUT', `/api/segments/${segmentId}`, {
      name: 'Repeat buyers in SEK',
      conditions: [repeat],
    });
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({ revision: 1, scope: 'contacts', members: 0 });
    expect(created.json.rule).toContain('order.placed');
    const draft = await adminCall('PUT', `/api/journeys/${journeyId}`, {
      schemaVersion: 1,
      id: journeyId,
      name: 'Thank SEK repeat buyers',
      triggers: [{ type: 'segment', segment: segmentId, on: 'enter' }],
      start: 'pause',
      nodes: { pause: { type: 'wait', duration: { days: 1 }, next: 'done' }, done: { type: 'exit' } },
      settings: { reentry: { mode: 'never' } },
    });
    expect(draft.status).toBe(200);
    expect((await adminCall('POST', `/api/journeys/${journeyId}/publish`)).status).toBe(201);

    // Act: two repeat buyers (one with a big order), one single order.
    const [big, small, once] = ['seg-big', 'seg-small', 'seg-once'].map(uniqueEmail) as [string, string, string];
    for (const [email, amounts] of [
      [big, [60_000, 1_000]],
      [small, [2_000, 3_000]],
      [once, [70_000]],
    ] as const) {
      for (const amount of amounts) expect((await order(email, amount)).status).toBe(202);
    }
    const ids = { big: await contactId(big), small: await contactId(small), once: await contactId(once) };

    // Assert: the two repeat buyers are members, counted, and enrolled by the journey.
    await eventually('both repeat buyers in the segment', async () =>
      (await members()).length === 2 ? true : undefined,
    );
    expect(await members()).toEqual([ids.big, ids.small].sort());
    expect((await adminCall('GET', `/api/segments/${segmentId}`)).json.members).toBe(2);
    for (const email of [big, small]) {
      await eventually(`${email} enrolled`, async () =>
        (await getContact(email)).body.enrollments.some((e) => e.journeyId === journeyId) ? true : undefined,
      );
    }
    const onceView = (await getContact(once)).body;
    expect(onceView.enrollments.some((e) => e.journeyId === journeyId)).toBe(false);
    expect(onceView.timeline.some((e) => e.name === 'segment.entered')).toBe(false);

    // The first evaluation (every contact, at creation) has finished: a change made while it runs
    // must still reach every contact, so only then does a narrowed rule re-check just the members.
    await eventually('the first evaluation done', async () => {
      const { json } = await adminCall('GET', `/api/segments/${segmentId}`);
      return json.reevaluation?.revision === 1 && json.reevaluation.status === 'done' ? true : undefined;
    });

    // Act: narrow the rule (repeat buyers with a big order), at the revision read.
    const narrowed = await adminCall('PUT', `/api/segments/${segmentId}`, {
      name: 'Repeat buyers in SEK, one big order',
      conditions: [repeat, bigOrder],
    });
    expect(narrowed.status).toBe(200);
    expect(narrowed.json).toMatchObject({ revision: 2, scope: 'members' });

    // Assert: the new membership shows once the scan of the two members is done.
    const job = await eventually('the re-evaluation done', async () => {
      const { json } = await adminCall('GET', `/api/segments/${segmentId}`);
      return json.reevaluation?.revision === 2 && json.reevaluation.status === 'done' ? json.reevaluation : undefined;
    });
    expect(job).toMatchObject({ scope: 'members', scanned: 2, exited: 1, entered: 0 });
    expect(await members()).toEqual([ids.big]);
    const smallView = (await getContact(small)).body;
    expect(smallView.timeline.filter((e) => e.name === 'segment.exited').map((e) => e.data.segmentId)).toEqual([
      segmentId,
    ]);
  });

  it('follows a profile change: a contact whose property changes enters, and its scores are stored', async () => {
    const id = `${segmentId}-gold`;
    const marker = `gold-${suffix}`;
    expect(
      (
        await adminCall('PUT', `/api/segments/${id}`, {
          name: 'Gold plan',
          conditions: [{ kind: 'property', property: 'properties.plan', op: 'eq', value: marker }],
        })
      ).status,
    ).toBe(200);
    const email = uniqueEmail('seg-profile');
    const key = await eventsKey();
    const identify = async (plan: string, n: number) =>
      fetch(`${stack.api}/api/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ batch: [{ type: 'identify', messageId: `m-${suffix}-${n}`, traits: { email, plan } }] }),
      });
    expect((await identify('basic', 1)).status).toBe(202);
    const contact = await contactId(email);
    const stored = await eventually('scores stored on the new contact', async () => {
      const { json } = await adminCall('GET', `/api/contacts?email=${encodeURIComponent(email)}`);
      return json.contact?.scores;
    });
    expect(stored).toMatchObject({ churnRisk: 'not a customer', rfm: 'prospect' });

    expect((await identify(marker, 2)).status).toBe(202);

    const members = await eventually('the changed contact in the segment', async () => {
      const { json } = await adminCall('GET', `/api/segments/${id}/members`);
      return json.members?.length ? json.members : undefined;
    });
    expect(members.map((m: { contactId: string }) => m.contactId)).toEqual([contact]);
  });

  it('refuses a rule with violations (422 naming them), a stale revision (409) and an unknown segment (404)', async () => {
    const bad = await adminCall('PUT', `/api/segments/${segmentId}-bad`, {
      name: 'Bad',
      conditions: [{ kind: 'event', event: 'order.shiped' }],
    });
    expect(bad.status).toBe(422);
    expect(bad.json.error.message).toContain('$.conditions[0].event');
    expect((await adminCall('GET', `/api/segments/${segmentId}-bad`)).status).toBe(404);

    const id = `${segmentId}-rev`;
    expect((await adminCall('PUT', `/api/segments/${id}`, { name: 'A', conditions: [bigOrder] })).status).toBe(200);
    const stale = await fetch(`${stack.api}/api/segments/${id}`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${stack.adminToken}`,
        'content-type': 'application/json',
        'if-match': '"7"',
      },
      body: JSON.stringify({ name: 'B', conditions: [bigOrder] }),
    });
    expect(stale.status).toBe(409);
    expect((await adminCall('GET', '/api/segments/NOT%20AN%20ID')).status).toBe(404);
    expect((await adminCall('GET', `/api/segments/${'x'.repeat(3000)}`)).status).toBe(404);
  });
});

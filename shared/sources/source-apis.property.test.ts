import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rowToContact } from '#contacts/csv-contacts.ts';
import { importRows, startImport } from '#contacts/imports.ts';
import { createMemoryStore } from '#platform/memory-store.ts';
import { expectClientError, mutate, mutationArb, outcome } from '../../test/support/properties.ts';
import { ingestEvents } from './events-api.ts';
import { b64, clock, maybe, secretBox, sourceIdOf, storeWithSources } from './garbage.fixture.ts';
import { SOURCE_KINDS } from './providers/provider.ts';
import { createSource, rotateSource } from './sources.ts';

// CI runs one fixed seed so a red run reproduces; elsewhere every run explores new inputs.
if (process.env.CI) fc.configureGlobal({ seed: 20_261_123 });

/**
 * Property-based tests: generated garbage thrown at the events API, source management and contact
 * imports. A refused request is a coded error the HTTP wrapper answers in 400..499 with a
 * message, and stores nothing; nothing else is ever thrown.
 */

// ---- Events API ---------------------------------------------------------------------------------

const validMessages: unknown[] = [
  { type: 'identify', messageId: 'm-1', userId: 'u-1', traits: { firstName: 'Ada', plan: 'pro' } },
  { type: 'identify', messageId: 'm-2', traits: { email: 'ada@example.com' } },
  { type: 'track', messageId: 'm-3', email: 'ada@example.com', event: 'form.submitted', properties: {} },
  {
    type: 'track',
    messageId: 'm-4',
    anonymousId: 'anon-1',
    event: 'order.placed',
    timestamp: '2026-11-23T09:00:00+01:00',
    properties: { orderId: 'o-1', total: { amountMinor: 1999, currency: 'EUR' } },
  },
  { type: 'track', messageId: 'm-5', phone: '+14155550123', event: 'nps.responded', properties: { score: 9 } },
];

describe('ingestEvents with garbage', () => {
  const bodyArbEvents = fc.oneof(
    fc.anything(),
    fc.json().map((s) => JSON.parse(s) as unknown),
    fc
      .constantFrom(...validMessages)
      .chain((m) => fc.array(mutationArb, { minLength: 1, maxLength: 3 }).map((ms) => mutate(m, ms))),
    fc
      .tuple(fc.subarray(validMessages, { minLength: 1 }), fc.array(mutationArb, { minLength: 1, maxLength: 3 }))
      .map(([batch, ms]) => mutate({ batch }, ms)),
    fc.array(fc.constantFrom(...validMessages), { minLength: 0, maxLength: 110 }).map((batch) => ({ batch })),
  );

  it('resolves or refuses as a client error; a refused batch stores nothing', async () => {
    await fc.assert(
      fc.asyncProperty(bodyArbEvents, async (body) => {
        const memory = createMemoryStore();
        const result = await outcome(() => ingestEvents({ store: memory.store, clock }, body, 'key-1'));
        if (result.ok) {
          expect(result.value.results.length).toBeGreaterThan(0);
          expect(memory.sizes().inbox).toBeGreaterThan(0);
          expect(memory.sizes().inbox).toBeLessThanOrEqual(result.value.results.length);
        } else {
          expectClientError(result.error, ['invalid', 'unprocessable']);
          expect(memory.sizes().inbox).toBe(0);
        }
      }),
      { numRuns: 200 },
    );
  });
});

// ---- Sources API --------------------------------------------------------------------------------

describe('createSource / rotateSource with garbage', () => {
  const validSource = {
    sourceId: 'shop-1',
    name: 'Shop',
    kind: 'typeform',
    secret: 'a-long-enough-secret',
    settings: { fieldMap: { abc: 'email' } },
  };

  it('createSource resolves or refuses as a client error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.anything(),
          fc.array(mutationArb, { minLength: 1, maxLength: 4 }).map((ms) => mutate(validSource, ms)),
          fc.record({
            sourceId: fc.oneof(fc.string(), fc.stringMatching(/^[a-z0-9][a-z0-9-]{1,62}$/)),
            name: fc.string(),
            kind: fc.oneof(fc.constantFrom(...SOURCE_KINDS), fc.string()),
            secret: maybe(
              fc.oneof(
                fc.string(),
                b64(24).map((s) => `whsec_${s}`),
              ),
            ),
            settings: maybe(fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.anything())),
          }),
        ),
        async (body) => {
          const memory = createMemoryStore();
          const deps = { store: memory.store, clock, secretBox };
          const result = await outcome(() => createSource(deps, body, 'admin'));
          if (result.ok) {
            expect(await memory.store.getSource(result.value.source.sourceId)).toBeDefined();
          } else {
            expectClientError(result.error, ['conflict', 'unprocessable']);
            expect(await memory.store.listSources()).toEqual([]);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('rotateSource resolves or refuses as a client error', async () => {
    const { deps } = await storeWithSources();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constantFrom(...SOURCE_KINDS).map(sourceIdOf), fc.string()),
        fc.oneof(
          fc.anything(),
          fc.record({
            secret: maybe(fc.string()),
            overlapHours: maybe(fc.oneof(fc.double(), fc.integer(), fc.constantFrom(0, 168, 169, -1))),
          }),
        ),
        async (sourceId, body) => {
          const result = await outcome(() => rotateSource(deps, sourceId, body));
          if (!result.ok) expectClientError(result.error, ['not-found', 'unprocessable']);
        },
      ),
      { numRuns: 200 },
    );
  });
});

// ---- Imports ------------------------------------------------------------------------------------

describe('imports with garbage', () => {
  it('startImport resolves or refuses as a client error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.anything(),
          fc.record({ mode: maybe(fc.string()), dryRun: maybe(fc.anything()), fileName: maybe(fc.string()) }),
        ),
        async (body) => {
          const memory = createMemoryStore();
          const result = await outcome(() => startImport({ store: memory.store, clock }, body, 'admin'));
          if (!result.ok) expectClientError(result.error, ['unprocessable']);
        },
      ),
      { numRuns: 150 },
    );
  });

  const cell = fc.oneof(
    fc.string(),
    fc.constantFrom('ada@example.com', ' ADA@Example.com ', '+1 (415) 555-0123', '0612345678', 'x'.repeat(2_001)),
  );
  const header = fc.oneof(
    fc.string(),
    fc.constantFrom(
      'email',
      'E-mail Address',
      'phone',
      'Mobile',
      'first_name',
      'Surname',
      'user id',
      'Stripe Customer ID',
      ' ',
    ),
  );
  const rowArb = fc.dictionary(header, cell, { maxKeys: 6 });

  it('importRows resolves or refuses as a client error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.oneof(
          fc.anything(),
          fc.record({
            firstRow: fc.oneof(fc.integer(), fc.double()),
            rows: fc.array(rowArb, { maxLength: 8 }),
            rowNumbers: maybe(fc.array(fc.integer(), { maxLength: 8 })),
          }),
          fc
            .tuple(fc.array(rowArb, { minLength: 1, maxLength: 8 }), fc.array(mutationArb, { maxLength: 2 }))
            .map(([rows, ms]) => mutate({ firstRow: 2, rows }, ms)),
        ),
        async (dryRun, body) => {
          const memory = createMemoryStore();
          const deps = { store: memory.store, clock };
          const record = await startImport(deps, { dryRun }, 'admin');
          const result = await outcome(() => importRows(deps, record.importId, body));
          if (result.ok) {
            const c = result.value.counts;
            expect(c.created + c.updated + c.unchanged + c.failed).toBe(c.rows);
            expect(result.value.errors.length).toBe(c.failed);
          } else {
            expectClientError(result.error, ['not-found', 'conflict', 'unprocessable']);
            expect(memory.sizes().contacts).toBe(0);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('rowToContact never throws on arbitrary string records', () => {
    fc.assert(
      fc.property(fc.oneof(rowArb, fc.dictionary(fc.string(), fc.string(), { maxKeys: 250 })), (row) => {
        const result = rowToContact(row);
        if (result.ok) expect(Object.keys(result.identifiers).length).toBeGreaterThan(0);
        else expect(result.message).not.toBe('');
      }),
      { numRuns: 200 },
    );
  });
});

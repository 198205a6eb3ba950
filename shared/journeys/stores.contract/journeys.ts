import { describe, expect, it } from 'vitest';
import { journeySchema } from '#workflows/journey.schema.ts';
import type { JourneyDraft, JourneySummary, JourneyVersion } from '../model.ts';
import { arnOf, type MakeStore, RACES, uid } from './support.ts';

const documentOf = (journeyId: string, name: string) =>
  journeySchema.parse({
    schemaVersion: 1,
    id: journeyId,
    name,
    triggers: [{ type: 'event', event: 'contract.never-sent' }],
    start: 'done',
    nodes: { done: { type: 'exit' } },
  });

const draftOf = (journeyId: string, revision: number, name = 'Welcome'): JourneyDraft => ({
  journeyId,
  revision,
  document: documentOf(journeyId, name),
  savedAt: `2026-01-0${revision}T10:00:00.000Z`,
  savedBy: `editor-${revision}`,
});

const versionOf = (journeyId: string, version: number): JourneyVersion => ({
  journeyId,
  version,
  document: documentOf(journeyId, `Welcome v${version}`),
  definition: JSON.stringify({ StartAt: 'done', States: { done: { Type: 'Succeed' } }, Comment: `v${version}` }),
  versionArn: `${arnOf(journeyId)}:${version}`,
  stateMachineArn: arnOf(journeyId),
  publishedAt: `2026-02-0${version}T10:00:00.000Z`,
  publishedBy: 'publisher',
  diff: [`version ${version}`],
  transitions: { min: 1, max: version },
});

const summaryOf = (journeyId: string, version: number): JourneySummary => {
  const document = documentOf(journeyId, `Welcome v${version}`);
  return {
    journeyId,
    name: document.name,
    status: 'live',
    draftRevision: 1,
    latestVersion: version,
    live: {
      version,
      versionArn: `${arnOf(journeyId)}:${version}`,
      triggers: document.triggers,
      settings: { reentry: document.settings.reentry, holdoutPercent: 0, timeZone: 'UTC' },
    },
    stateMachineArn: arnOf(journeyId),
    aliasArn: `${arnOf(journeyId)}:live`,
    updatedAt: `2026-02-0${version}T10:00:00.000Z`,
    updatedBy: 'publisher',
  };
};

/** JourneyStore: drafts, published versions and the summary, with their optimistic conditions. */
export function journeysContract(makeStore: MakeStore) {
  describe('journeys', () => {
    it('creates the summary as a draft on the first save and renames it on later saves', async () => {
      const store = await makeStore();
      const journeyId = uid('j');

      expect(await store.saveDraft(draftOf(journeyId, 1), 'First name')).toBe('saved');
      expect(await store.getJourney(journeyId)).toEqual({
        journeyId,
        name: 'First name',
        status: 'draft',
        draftRevision: 1,
        latestVersion: 0,
        updatedAt: draftOf(journeyId, 1).savedAt,
        updatedBy: 'editor-1',
      });
      expect(await store.saveDraft(draftOf(journeyId, 2, 'Renamed'), 'Second name')).toBe('saved');

      expect(await store.getDraft(journeyId)).toEqual(draftOf(journeyId, 2, 'Renamed'));
      expect(await store.getJourney(journeyId)).toMatchObject({
        name: 'Second name',
        status: 'draft',
        draftRevision: 2,
        latestVersion: 0,
        updatedAt: draftOf(journeyId, 2).savedAt,
        updatedBy: 'editor-2',
      });
      expect((await store.listJourneys()).filter((j) => j.journeyId === journeyId)).toHaveLength(1);
    });

    it('refuses a draft whose revision is not the stored one plus one, and keeps what was stored', async () => {
      const store = await makeStore();
      const journeyId = uid('j');
      const fresh = uid('j');

      expect(await store.saveDraft(draftOf(fresh, 2), 'Skipped a revision')).toBe('conflict');
      expect(await store.saveDraft(draftOf(journeyId, 1), 'Kept')).toBe('saved');
      const stored = await store.getJourney(journeyId);
      expect(await store.saveDraft(draftOf(journeyId, 1, 'Again'), 'Lost update')).toBe('conflict');
      expect(await store.saveDraft(draftOf(journeyId, 3, 'Ahead'), 'Lost update')).toBe('conflict');

      expect(await store.getDraft(fresh)).toBeUndefined();
      expect(await store.getJourney(fresh)).toBeUndefined();
      expect(await store.getDraft(journeyId)).toEqual(draftOf(journeyId, 1));
      expect(await store.getJourney(journeyId)).toEqual(stored);
    });

    it('publishes version n only when the latest is n - 1', async () => {
      const store = await makeStore();
      const journeyId = uid('j');
      await store.saveDraft(draftOf(journeyId, 1), 'Welcome');

      expect(await store.publishVersion(versionOf(journeyId, 2), summaryOf(journeyId, 2))).toBe('conflict');
      expect(await store.publishVersion(versionOf(journeyId, 1), summaryOf(journeyId, 1))).toBe('published');
      expect(await store.publishVersion(versionOf(journeyId, 1), summaryOf(journeyId, 1))).toBe('conflict');
      expect(await store.publishVersion(versionOf(journeyId, 3), summaryOf(journeyId, 3))).toBe('conflict');
      expect(await store.publishVersion(versionOf(journeyId, 2), summaryOf(journeyId, 2))).toBe('published');

      expect(await store.getJourney(journeyId)).toEqual(summaryOf(journeyId, 2));
    });

    it('changes neither the versions nor the summary when a publication conflicts', async () => {
      const store = await makeStore();
      const journeyId = uid('j');
      await store.publishVersion(versionOf(journeyId, 1), summaryOf(journeyId, 1));
      const replaced = { ...versionOf(journeyId, 1), definition: '{"changed":true}' };
      const ahead = { ...summaryOf(journeyId, 2), name: 'Should not land' };

      expect(await store.publishVersion(replaced, { ...summaryOf(journeyId, 1), name: 'Nope' })).toBe('conflict');
      expect(await store.publishVersion(versionOf(journeyId, 3), ahead)).toBe('conflict');

      expect(await store.getVersion(journeyId, 1)).toEqual(versionOf(journeyId, 1));
      expect(await store.getVersion(journeyId, 3)).toBeUndefined();
      expect(await store.getJourney(journeyId)).toEqual(summaryOf(journeyId, 1));
      expect(await store.listVersions(journeyId)).toHaveLength(1);
    });

    it('saves one of two drafts racing for the same revision and refuses the other', async () => {
      const store = await makeStore();

      await Promise.all(
        Array.from({ length: RACES }, async () => {
          const journeyId = uid('j');
          await store.saveDraft(draftOf(journeyId, 1), 'Welcome');

          const outcomes = await Promise.all([
            store.saveDraft(draftOf(journeyId, 2, 'Mine'), 'Mine'),
            store.saveDraft(draftOf(journeyId, 2, 'Theirs'), 'Theirs'),
          ]);

          expect(outcomes.sort()).toEqual(['conflict', 'saved']);
          const [draft, summary] = await Promise.all([store.getDraft(journeyId), store.getJourney(journeyId)]);
          expect(draft?.revision).toBe(2);
          expect(summary?.name).toBe(draft?.document.name);
        }),
      );
    });

    it('publishes one of two versions racing for the same number and refuses the other', async () => {
      const store = await makeStore();

      await Promise.all(
        Array.from({ length: RACES }, async () => {
          const journeyId = uid('j');
          const theirs = { ...versionOf(journeyId, 1), definition: '{"theirs":true}' };

          const outcomes = await Promise.all([
            store.publishVersion(versionOf(journeyId, 1), summaryOf(journeyId, 1)),
            store.publishVersion(theirs, { ...summaryOf(journeyId, 1), updatedBy: 'them' }),
          ]);

          expect(outcomes.sort()).toEqual(['conflict', 'published']);
          const [stored] = await store.listVersions(journeyId);
          const summary = await store.getJourney(journeyId);
          expect(summary?.updatedBy).toBe(stored?.definition === theirs.definition ? 'them' : 'publisher');
        }),
      );
    });

    it('lists versions oldest first and reads each one', async () => {
      const store = await makeStore();
      const journeyId = uid('j');
      for (let n = 1; n <= 3; n++) await store.publishVersion(versionOf(journeyId, n), summaryOf(journeyId, n));

      expect(await store.listVersions(journeyId)).toEqual([1, 2, 3].map((n) => versionOf(journeyId, n)));
      expect(await store.getVersion(journeyId, 2)).toEqual(versionOf(journeyId, 2));
      expect(await store.getVersion(journeyId, 4)).toBeUndefined();
      expect(await store.listVersions(uid('j'))).toEqual([]);
    });

    it('moves a stored journey between statuses and answers false for a missing one', async () => {
      const store = await makeStore();
      const journeyId = uid('j');
      await store.publishVersion(versionOf(journeyId, 1), summaryOf(journeyId, 1));

      expect(await store.setJourneyStatus(journeyId, 'paused', '2026-03-01T00:00:00.000Z', 'operator')).toBe(true);
      const missing = uid('j');
      expect(await store.setJourneyStatus(missing, 'paused', '2026-03-01T00:00:00.000Z', 'operator')).toBe(false);

      expect(await store.getJourney(journeyId)).toEqual({
        ...summaryOf(journeyId, 1),
        status: 'paused',
        updatedAt: '2026-03-01T00:00:00.000Z',
        updatedBy: 'operator',
      });
      expect(await store.getJourney(missing)).toBeUndefined();
    });
  });
}

/** Publishes each named built-in journey that has never been published; returns their ids. */
export async function publishBuiltIns(
  app: typeof import('#platform/app.ts'),
  ids: readonly string[] | undefined,
): Promise<string[]> {
  const { publishJourney } = await import('#journeys/lifecycle.ts');
  const { BUILT_IN_JOURNEY_IDS } = await import('#workflows/journeys/index.ts');
  const { builtInTemplateIds } = await import('#messaging/templating/compiled-built-ins.ts');
  const { TOPICS } = await import('#contacts/consent.ts');
  const deps = {
    store: app.store,
    runtime: app.journeyRuntime,
    clock: app.clock,
    targets: app.journeyTargets,
    validationContext: async () => ({
      templates: new Set([...builtInTemplateIds, ...(await app.store.listTemplates()).map((t) => t.id)]),
      topics: new Set(TOPICS.map((t) => t.id)),
    }),
  };
  const published: string[] = [];
  for (const id of ids ?? BUILT_IN_JOURNEY_IDS) {
    if (await app.store.getJourney(id)) continue;
    await publishJourney(deps, id, 'npm start');
    published.push(id);
  }
  return published;
}

/**
 * Regenerates the golden ASL of the built-in journeys and the editor JSON Schema of the journey
 * language (review the diff before committing). A test fails when either is stale.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { builtInTemplateIds as templateIds } from '#messaging/templating/compiled-built-ins.ts';
import { GOLDEN_TARGETS, goldenAsl, journeyJsonSchema } from '#workflows/golden.ts';
import { BUILT_IN_JOURNEY_IDS, builtInJourney } from '#workflows/journeys/index.ts';

const root = path.resolve(import.meta.dirname, '..');
for (const id of BUILT_IN_JOURNEY_IDS) {
  const file = path.join(root, 'workflows/journeys', `${id}.asl.json`);
  writeFileSync(file, goldenAsl(builtInJourney(id, templateIds), GOLDEN_TARGETS));
  console.log(`wrote ${path.relative(root, file)}`);
}
const schemaFile = path.join(root, 'workflows/journey.schema.json');
writeFileSync(schemaFile, journeyJsonSchema());
console.log(`wrote ${path.relative(root, schemaFile)}`);

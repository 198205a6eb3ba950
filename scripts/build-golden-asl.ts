/** Regenerates the golden ASL of the built-in journeys (review the diff before committing). */
import { writeFileSync } from 'node:fs';
import { builtInTemplateIds as templateIds } from '#templating/compiled-built-ins.ts';
import { compileJourney } from '#workflows/compile.ts';
import { builtInJourney } from '#workflows/journeys/index.ts';

const d = compileJourney(builtInJourney('onboarding', templateIds), {
  sendEmail: '${SendEmailFunctionArn}',
  endEnrollment: '${EndEnrollmentFunctionArn}',
}).definition;
writeFileSync('workflows/journeys/onboarding.asl.json', JSON.stringify(d, null, 2) + '\n');

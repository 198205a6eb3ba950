import { createDynamoStore } from '#adapters/dynamo-store.ts';
import { createSesMailSender } from '#adapters/ses-mail.ts';
import { createSfnJourneyRuntime } from '#adapters/sfn-journeys.ts';
import { createTemplateCatalog } from '#adapters/template-catalog.ts';
import { systemClock } from '#ports/clock.ts';
import type { LiveJourney } from '#services/process-inbox.ts';
import { builtInTemplateIds as templateIds } from '#templating/compiled-built-ins.ts';
import { builtInJourney } from '#workflows/journeys/index.ts';
import { dynamo, ses, sfn } from './clients.ts';
import { config } from './config.ts';

/** The composition root: real adapters wired to the configured clients. */
export const store = createDynamoStore(dynamo, config.TEND_TABLE_NAME);
export const mail = createSesMailSender(ses, config.TEND_SES_CONFIGURATION_SET);
export const templates = createTemplateCatalog(store);
export const clock = systemClock;

const onboarding = builtInJourney('onboarding', templateIds);

/** Journeys that are live in this deployment, with the state machine that runs each. */
export const liveJourneys: LiveJourney[] = config.TEND_JOURNEY_ONBOARDING_ARN
  ? [{ journeyId: onboarding.id, version: 1, trigger: onboarding.trigger }]
  : [];

export const journeys = createSfnJourneyRuntime(
  sfn,
  config.TEND_JOURNEY_ONBOARDING_ARN ? { [onboarding.id]: config.TEND_JOURNEY_ONBOARDING_ARN } : {},
);

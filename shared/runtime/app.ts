import { createDynamoStore } from '#adapters/dynamo-store.ts';
import { createKmsSecretBox } from '#adapters/kms-secret-box.ts';
import { createLocalSecretBox } from '#adapters/local-secret-box.ts';
import { createDynamoOutboundStore } from '#adapters/outbound-dynamo.ts';
import { createSesMailSender } from '#adapters/ses-mail.ts';
import { createSfnJourneyRuntime } from '#adapters/sfn-journeys.ts';
import { createTemplateCatalog } from '#adapters/template-catalog.ts';
import { systemClock } from '#ports/clock.ts';
import type { SecretBox } from '#ports/secret-box.ts';
import { createOutboundWebhooks } from '#services/outbound-webhooks.ts';
import type { LiveJourney } from '#services/process-inbox.ts';
import { builtInTemplateIds as templateIds } from '#templating/compiled-built-ins.ts';
import { builtInJourney } from '#workflows/journeys/index.ts';
import { dynamo, kms, ses, sfn } from './clients.ts';
import { config } from './config.ts';

/** The composition root: real adapters wired to the configured clients. */
export const store = createDynamoStore(dynamo, config.TEND_TABLE_NAME);
export const mail = createSesMailSender(ses, config.TEND_SES_CONFIGURATION_SET);
export const templates = createTemplateCatalog(store);
export const clock = systemClock;

/** KMS on AWS, AES-GCM under TEND_SECRET_KEY locally; refuses to work with neither. */
export const secretBox: SecretBox = config.TEND_KMS_KEY_ID
  ? createKmsSecretBox(kms, config.TEND_KMS_KEY_ID)
  : config.TEND_SECRET_KEY
    ? createLocalSecretBox(config.TEND_SECRET_KEY)
    : {
        seal: () => Promise.reject(new Error('configure TEND_KMS_KEY_ID or TEND_SECRET_KEY to store secrets')),
        open: () => Promise.reject(new Error('configure TEND_KMS_KEY_ID or TEND_SECRET_KEY to read secrets')),
      };

const onboarding = builtInJourney('onboarding', templateIds);

/** Journeys that are live in this deployment, with the state machine that runs each. */
export const liveJourneys: LiveJourney[] = config.TEND_JOURNEY_ONBOARDING_ARN
  ? [{ journeyId: onboarding.id, version: 1, trigger: onboarding.trigger }]
  : [];

export const journeys = createSfnJourneyRuntime(
  sfn,
  config.TEND_JOURNEY_ONBOARDING_ARN ? { [onboarding.id]: config.TEND_JOURNEY_ONBOARDING_ARN } : {},
);

export const outbound = createOutboundWebhooks({
  store: createDynamoOutboundStore(dynamo, config.TEND_TABLE_NAME),
  secretBox,
  clock,
  allowInsecure: config.TEND_ALLOW_INSECURE_WEBHOOKS,
  retryDelayScale: 1 / config.TEND_TIME_SCALE,
});

import { createDynamoAggregates } from '#adapters/dynamo-aggregates.ts';
import { createDynamoStore } from '#adapters/dynamo-store.ts';
import { readCatalogVersion } from '#adapters/dynamo-table.ts';
import { createKmsSecretBox } from '#adapters/kms-secret-box.ts';
import { createLocalSecretBox } from '#adapters/local-secret-box.ts';
import { createDynamoOutboundStore } from '#adapters/outbound-dynamo.ts';
import { createSesMailSender } from '#adapters/ses-mail.ts';
import { createSfnExecutionReader, createSfnJourneyRuntime } from '#adapters/sfn-journeys.ts';
import { createTemplateCatalog } from '#adapters/template-catalog.ts';
import { systemClock } from '#ports/clock.ts';
import type { SecretBox } from '#ports/secret-box.ts';
import { cacheCatalog } from '#services/catalog-cache.ts';
import { createVersionCache } from '#services/journey-context.ts';
import { createOutboundWebhooks } from '#services/outbound-webhooks.ts';
import type { CompileTargets } from '#workflows/compile.ts';
import { dynamo, kms, ses, sfn } from './clients.ts';
import { config } from './config.ts';
import { onInvocation } from './invocation.ts';

/** The composition root: real adapters wired to the configured clients. */
export const store = createDynamoStore(dynamo, config.TEND_TABLE_NAME);
/** The dashboard's counters and per-contact KPI states. */
export const aggregates = createDynamoAggregates(dynamo, config.TEND_TABLE_NAME);
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

/**
 * The store as the event path sees it: live journeys and segment rules kept in the warm function
 * behind the catalog version. The journey scheduler, the APIs and the dashboard read `store`.
 */
export const eventStore = cacheCatalog(store, () => readCatalogVersion(dynamo, config.TEND_TABLE_NAME));
onInvocation(eventStore.beginInvocation);

/** Published versions are immutable: one cache per warm function. */
export const versions = createVersionCache(store);

/** Step Functions: one state machine per journey, a version per publish, executions per enrollment. */
export const journeyRuntime = createSfnJourneyRuntime(sfn, {
  roleArn: config.TEND_JOURNEY_ROLE_ARN,
  namePrefix: config.TEND_JOURNEY_PREFIX,
  logGroupArn: config.TEND_JOURNEY_LOG_GROUP_ARN,
  tracing: config.TEND_JOURNEY_LOG_GROUP_ARN !== undefined,
  tags: (journeyId): Record<string, string> => {
    const scale = config.TEND_JOURNEY_TIME_SCALES[journeyId];
    return scale ? { 'tend:time-scale': String(scale) } : {};
  },
});

/** Execution paths for the dashboard; on AWS each links to the Step Functions console. */
export const executions = createSfnExecutionReader(
  sfn,
  config.TEND_SFN_ENDPOINT ? {} : { consoleRegion: config.AWS_REGION },
);

/** What routing, steps and the journey scheduler share. */
export const journeyDeps = {
  store: eventStore,
  runtime: journeyRuntime,
  clock,
  versions,
  aggregates,
  settings: { defaultTimeZone: config.TEND_DEFAULT_TIME_ZONE },
};

/** The functions compiled journeys call. */
export const journeyTargets: CompileTargets = {
  sendEmail: config.TEND_SEND_EMAIL_FUNCTION_ARN,
  endEnrollment: config.TEND_END_ENROLLMENT_FUNCTION_ARN,
  journeyStep: config.TEND_JOURNEY_STEP_FUNCTION_ARN,
};

export const outbound = createOutboundWebhooks({
  store: createDynamoOutboundStore(dynamo, config.TEND_TABLE_NAME),
  secretBox,
  clock,
  allowInsecure: config.TEND_ALLOW_INSECURE_WEBHOOKS,
  retryDelayScale: 1 / config.TEND_TIME_SCALE,
});

import { createSfnExecutionReader, createSfnJourneyRuntime } from '#journeys/sfn-journeys.ts';
import type { CompileTargets } from '#workflows/compile.ts';
import { sfn } from '../clients/sfn.ts';
import { config } from '../config.ts';

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

/** The functions compiled journeys call. */
export const journeyTargets: CompileTargets = {
  sendEmail: config.TEND_SEND_EMAIL_FUNCTION_ARN,
  endEnrollment: config.TEND_END_ENROLLMENT_FUNCTION_ARN,
  journeyStep: config.TEND_JOURNEY_STEP_FUNCTION_ARN,
};

import { assertUnreachable } from '#domain/assert.ts';
import { durationSeconds, type Journey, type JourneyNode } from './journey.schema.ts';

/** ARNs (or placeholders such as `${SendEmailFunctionArn}`) of the functions the ASL calls. */
export interface CompileTargets {
  sendEmail: string;
  endEnrollment: string;
}

export interface AslState {
  Type: string;
  [key: string]: unknown;
}

export interface AslDefinition {
  Comment: string;
  StartAt: string;
  TimeoutSeconds?: number;
  States: Record<string, AslState>;
}

export interface CompiledJourney {
  definition: AslDefinition;
  /** State transitions an enrollment costs on each path from the start, for cost estimates. */
  transitionsPerPath: { path: string[]; transitions: number }[];
}

/** Errors worth retrying: Lambda's own transient failures and our TransientError. */
const RETRYABLE = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'States.Timeout',
  'TransientError',
];
const ON_ERROR = 'on-error';
const FAILED = 'failed';

const retry = () => [
  {
    ErrorEquals: RETRYABLE,
    IntervalSeconds: 2,
    MaxAttempts: 6,
    BackoffRate: 2,
    MaxDelaySeconds: 300,
    JitterStrategy: 'FULL',
  },
];
const catchToOnError = () => [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: ON_ERROR }];

/** The enrollment context every task receives; node-specific fields are added per state. */
const enrollmentParameters = (nodeId: string) => ({
  'contactId.$': '$.contactId',
  'enrollmentId.$': '$.enrollmentId',
  'journeyId.$': '$.journeyId',
  'journeyVersion.$': '$.journeyVersion',
  nodeId,
});

const nextOrEnd = (next: string) => ({ Next: next });

/** State names a send node adds after its Task: a deferral check and the wait it leads to. */
export const deferredCheck = (id: string) => `${id}:deferred?`;
export const deferredWait = (id: string) => `${id}:wait`;

function compileNode(
  id: string,
  node: JourneyNode,
  journey: Journey,
  targets: CompileTargets,
): Record<string, AslState> {
  switch (node.type) {
    case 'send-email':
      // The send may come back "deferred" (quiet hours, frequency cap) with the time to retry:
      // wait until then and send again, so a deferral never drops the email.
      return {
        [id]: {
          Type: 'Task',
          Comment: `Send the "${node.template}" email`,
          Resource: targets.sendEmail,
          Parameters: { ...enrollmentParameters(id), template: node.template, ...journey.settings },
          ResultPath: '$.send',
          TimeoutSeconds: 60,
          Retry: retry(),
          Catch: catchToOnError(),
          Next: deferredCheck(id),
        },
        [deferredCheck(id)]: {
          Type: 'Choice',
          Choices: [{ Variable: '$.send.status', StringEquals: 'deferred', Next: deferredWait(id) }],
          Default: node.next,
        },
        [deferredWait(id)]: { Type: 'Wait', TimestampPath: '$.send.until', Next: id },
      };
    case 'wait':
      return {
        [id]: { Type: 'Wait', Comment: 'Wait', Seconds: durationSeconds(node.duration), ...nextOrEnd(node.next) },
      };
    case 'exit':
      return {
        [id]: {
          Type: 'Task',
          Comment: 'Record that the enrollment completed',
          Resource: targets.endEnrollment,
          Parameters: { ...enrollmentParameters(id), outcome: 'completed' },
          ResultPath: null,
          TimeoutSeconds: 30,
          Retry: retry(),
          Catch: catchToOnError(),
          End: true,
        },
      };
    default:
      return assertUnreachable(node);
  }
}

/**
 * Compiles a validated journey into an ASL definition (JSONPath only). Pure and deterministic:
 * state names are the node ids, so execution history and alarms read like the journey.
 */
export function compileJourney(journey: Journey, targets: CompileTargets): CompiledJourney {
  const states: Record<string, AslState> = {};
  for (const [id, node] of Object.entries(journey.nodes)) {
    Object.assign(states, compileNode(id, node, journey, targets));
  }
  // Any failure lands here: the enrollment is recorded as failed, so nobody is left "active".
  states[ON_ERROR] = {
    Type: 'Task',
    Comment: 'Record that the enrollment failed',
    Resource: targets.endEnrollment,
    Parameters: { ...enrollmentParameters(ON_ERROR), outcome: 'failed', 'error.$': '$.error' },
    ResultPath: null,
    TimeoutSeconds: 30,
    Retry: retry(),
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.recordError', Next: FAILED }],
    Next: FAILED,
  };
  states[FAILED] = {
    Type: 'Fail',
    Error: 'JourneyStepFailed',
    Cause: 'A journey step failed; see the execution history',
  };
  return {
    definition: { Comment: `Tend journey "${journey.name}" (${journey.id})`, StartAt: journey.start, States: states },
    transitionsPerPath: pathsFrom(journey),
  };
}

function pathsFrom(journey: Journey): { path: string[]; transitions: number }[] {
  const out: { path: string[]; transitions: number }[] = [];
  const walk = (id: string, path: string[]) => {
    const node = journey.nodes[id];
    if (!node) return;
    const here = [...path, id];
    if (node.type === 'exit') {
      // Step Functions bills every state entered; a send also enters its deferral check.
      const sends = here.filter((n) => journey.nodes[n]?.type === 'send-email').length;
      out.push({ path: here, transitions: here.length + sends });
      return;
    }
    walk(node.next, here);
  };
  walk(journey.start, []);
  return out;
}

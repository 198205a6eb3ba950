import { assertUnreachable } from '#core/assert.ts';
import type { EnrollmentTrigger } from '#core/contact.ts';
import type { AslDefinition, AslState } from './asl/asl.ts';
import type { Journey, JourneyNode, NodeOf } from './journey.schema.ts';
import { type DecisionType, durationSeconds, type StepAction, successorsOf } from './journey-nodes.ts';
import { fusedDecisions, type PathReport, pathsOf } from './paths.ts';
import { ENROLLMENT_EXITED_ERROR, EXITED, FAILED, ON_ERROR, routeState, waitState } from './states.ts';

/** ARNs (or names) of the functions the ASL calls, by the role they play. */
export interface CompileTargets {
  sendEmail: string;
  endEnrollment: string;
  /** Evaluates branches and splits, computes waits, updates contacts, registers event waits... */
  journeyStep: string;
}

export interface CompiledJourney {
  definition: AslDefinition;
  /** What each path from the start costs in state transitions. */
  paths: PathReport;
}

/**
 * The input every execution starts with (and carries along). `trigger` says what enrolled the
 * contact; `correlation` is the value of the trigger's correlation key (the cart id).
 */
export interface EnrollmentInput {
  contactId: string;
  enrollmentId: string;
  journeyId: string;
  journeyVersion: number;
  enteredAt: string;
  trigger: EnrollmentTrigger;
}

/** Resource of a Task that waits for a task token: the function is invoked with the token. */
export const WAIT_FOR_TOKEN_RESOURCE = 'arn:aws:states:::lambda:invoke.waitForTaskToken';

/** Errors worth retrying: Lambda's own transient failures and our TransientError. */
const RETRYABLE = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'TransientError',
];

const retry = (alsoTimeouts: boolean) => [
  {
    ErrorEquals: alsoTimeouts ? [...RETRYABLE, 'States.Timeout'] : RETRYABLE,
    IntervalSeconds: 2,
    MaxAttempts: 6,
    BackoffRate: 2,
    MaxDelaySeconds: 300,
    JitterStrategy: 'FULL',
  },
];

const catches = (...first: Record<string, unknown>[]) => [
  ...first,
  { ErrorEquals: [ENROLLMENT_EXITED_ERROR], ResultPath: null, Next: EXITED },
  { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: ON_ERROR },
];

/** The enrollment context every step receives; node-specific fields are added per state. */
const context = (nodeId: string) => ({
  'contactId.$': '$.contactId',
  'enrollmentId.$': '$.enrollmentId',
  'journeyId.$': '$.journeyId',
  'journeyVersion.$': '$.journeyVersion',
  'enteredAt.$': '$.enteredAt',
  'trigger.$': '$.trigger',
  nodeId,
});

/** A Lambda task with the house Retry and Catch; `TimeoutSeconds` is always explicit. */
function lambdaTask(
  resource: string,
  comment: string,
  parameters: Record<string, unknown>,
  rest: Record<string, unknown>,
): AslState {
  return {
    Type: 'Task',
    Comment: comment,
    Resource: resource,
    Parameters: parameters,
    TimeoutSeconds: 60,
    Retry: retry(true),
    Catch: catches(),
    ...rest,
  };
}

/** A journey-step task for a node: the node's own definition travels in the Parameters. */
const stepTask = (
  id: string,
  node: NodeOf<StepAction>,
  targets: CompileTargets,
  comment: string,
  rest: Record<string, unknown>,
) => lambdaTask(targets.journeyStep, comment, { action: node.type, node, ...context(id) }, rest);

/** The Choice that follows a decision's `{ next }` to the successor it picked. */
function routeChoice(id: string, node: JourneyNode): Record<string, AslState> {
  const successors = [...new Set(successorsOf(node).map((s) => s.id))];
  const fallback = successors[successors.length - 1] as string;
  return {
    [routeState(id)]: {
      Type: 'Choice',
      Choices: successors.slice(0, -1).map((s) => ({ Variable: '$.step.next', StringEquals: s, Next: s })),
      Default: fallback,
    },
  };
}

/** A step that returns `{ next }`, then a Choice that follows it (branches, splits). */
function routedStep(
  id: string,
  node: NodeOf<DecisionType>,
  targets: CompileTargets,
  comment: string,
): Record<string, AslState> {
  return {
    [id]: stepTask(id, node, targets, comment, {
      ResultPath: '$.step',
      Next: routeState(id),
    }),
    ...routeChoice(id, node),
  };
}

/**
 * A contact update and the decision after it in one Task (see `fusedDecisions`): the step
 * updates the contact, then decides on its updated properties and tags and returns `{ next }`
 * for the decision's Choice. The decision has no Task state of its own.
 */
function fusedStep(
  id: string,
  node: JourneyNode,
  decisionId: string,
  decision: JourneyNode,
  targets: CompileTargets,
): Record<string, AslState> {
  return {
    [id]: lambdaTask(
      targets.journeyStep,
      `${describe(node)}, then ${describe(decision).replace(/^./, (c) => c.toLowerCase())} (${decisionId})`,
      { action: node.type, node, ...context(id), decision: { nodeId: decisionId, node: decision } },
      { ResultPath: '$.step', Next: routeState(decisionId) },
    ),
  };
}

function describe(node: JourneyNode): string {
  switch (node.type) {
    case 'wait':
      return `Wait ${formatDuration(durationSeconds(node.duration))}`;
    case 'wait-until':
      return 'property' in node.until
        ? `Wait until ${node.until.property}`
        : `Wait until ${node.until.time}${node.until.weekdays.length ? ` on ${node.until.weekdays.join('/')}` : ''} in the contact's time zone`;
    case 'wait-for-event':
      return `Wait up to ${formatDuration(durationSeconds(node.timeout))} for ${node.event}${node.correlate ? ' (same correlation value)' : ''}`;
    case 'branch':
      return `Branch on ${node.conditions.length} condition(s), ${node.match}`;
    case 'split':
      return `Split: ${node.branches.map((b) => b.name).join(', ')}, else`;
    case 'random-split':
      return `Random split: ${node.branches.map((b) => `${b.name} ${b.percent}%`).join(', ')}`;
    case 'send-email':
      return `Send the "${node.template}" email`;
    case 'update-contact':
      return `Update the contact (${node.changes.map((c) => c.op).join(', ')})`;
    case 'webhook':
      return `Post a signed webhook to endpoint ${node.endpoint}`;
    case 'notify-owner':
      return `Notify the owner by ${node.channel}: ${node.subject}`;
    case 'goal':
      return `Goal reached: ${node.name}`;
    case 'exit':
      return 'Record that the enrollment completed';
    default:
      return assertUnreachable(node);
  }
}

function compileNode(
  id: string,
  node: JourneyNode,
  journey: Journey,
  targets: CompileTargets,
): Record<string, AslState> {
  const comment = describe(node);
  switch (node.type) {
    case 'wait':
      return { [id]: { Type: 'Wait', Comment: comment, Seconds: durationSeconds(node.duration), Next: node.next } };
    case 'wait-until':
      // The time depends on the contact (time zone, a date property), so a step computes it.
      return {
        [id]: stepTask(id, node, targets, comment, {
          ResultPath: '$.step',
          Next: waitState(id),
        }),
        [waitState(id)]: { Type: 'Wait', TimestampPath: '$.step.until', Next: node.next },
      };
    case 'wait-for-event':
      // The step registers the task token under (contact, event, correlation value); ingest
      // resumes it with the event. No event in time: States.Timeout takes the timeout branch.
      return {
        [id]: {
          Type: 'Task',
          Comment: comment,
          Resource: WAIT_FOR_TOKEN_RESOURCE,
          Parameters: {
            FunctionName: targets.journeyStep,
            Payload: {
              action: node.type,
              node,
              ...context(id),
              'taskToken.$': '$$.Task.Token',
              'waitStartedAt.$': '$$.State.EnteredTime',
            },
          },
          TimeoutSeconds: durationSeconds(node.timeout),
          ResultPath: '$.received',
          Retry: retry(false),
          Catch: catches({ ErrorEquals: ['States.Timeout'], ResultPath: null, Next: node.onTimeout }),
          Next: node.next,
        },
      };
    case 'branch':
    case 'split':
    case 'random-split':
      return routedStep(id, node, targets, comment);
    case 'send-email': {
      const { quietHours, frequencyCap } = journey.settings;
      // The send may come back "deferred" (quiet hours, frequency cap) with the time to retry:
      // wait until then and send again, so a deferral never drops the email.
      return {
        [id]: lambdaTask(
          targets.sendEmail,
          comment,
          {
            ...context(id),
            template: node.template,
            ...(node.topic ? { topic: node.topic } : {}),
            ...(quietHours ? { quietHours } : {}),
            ...(frequencyCap ? { frequencyCap } : {}),
          },
          { ResultPath: '$.send', Next: routeState(id) },
        ),
        [routeState(id)]: {
          Type: 'Choice',
          Choices: [{ Variable: '$.send.status', StringEquals: 'deferred', Next: waitState(id) }],
          Default: node.next,
        },
        [waitState(id)]: { Type: 'Wait', TimestampPath: '$.send.until', Next: id },
      };
    }
    case 'update-contact':
    case 'webhook':
    case 'notify-owner':
      return {
        [id]: stepTask(id, node, targets, comment, {
          ResultPath: null,
          Next: node.next,
        }),
      };
    case 'goal':
      // Without a successor the goal also ends the enrollment (converted), in the same step.
      return {
        [id]: stepTask(id, node, targets, comment, {
          ResultPath: null,
          ...(node.next ? { Next: node.next } : { End: true }),
        }),
      };
    case 'exit':
      return {
        [id]: {
          ...lambdaTask(
            targets.endEnrollment,
            comment,
            { ...context(id), outcome: 'completed' },
            { ResultPath: null, End: true },
          ),
          TimeoutSeconds: 30,
        },
      };
    default:
      return assertUnreachable(node);
  }
}

/**
 * Compiles a validated journey into an ASL definition (JSONPath only). Pure and deterministic:
 * state names are the node ids (helpers add `:route` / `:wait`), so execution history, alarms
 * and reports read like the journey.
 */
export function compileJourney(journey: Journey, targets: CompileTargets): CompiledJourney {
  const states: Record<string, AslState> = {};
  const fused = fusedDecisions(journey);
  const decidedInStep = new Set(fused.values());
  for (const [id, node] of Object.entries(journey.nodes)) {
    const decisionId = fused.get(id);
    const decision = decisionId ? journey.nodes[decisionId] : undefined;
    if (decisionId && decision) Object.assign(states, fusedStep(id, node, decisionId, decision, targets));
    else if (decidedInStep.has(id)) Object.assign(states, routeChoice(id, node));
    else Object.assign(states, compileNode(id, node, journey, targets));
  }
  states[EXITED] = {
    Type: 'Succeed',
    Comment: 'The enrollment ended early: an exit rule held, the goal was reached, or it was ended by hand',
  };
  states[ON_ERROR] = {
    Type: 'Task',
    Comment: 'Record that the enrollment failed',
    Resource: targets.endEnrollment,
    Parameters: { ...context(ON_ERROR), outcome: 'failed', 'error.$': '$.error' },
    ResultPath: null,
    TimeoutSeconds: 30,
    Retry: retry(true),
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
    paths: pathsOf(journey),
  };
}

/** "2 days", "1 hour 30 minutes". */
export function formatDuration(seconds: number): string {
  const parts: string[] = [];
  const units: [number, string][] = [
    [86_400, 'day'],
    [3_600, 'hour'],
    [60, 'minute'],
  ];
  let rest = seconds;
  for (const [size, name] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n} ${name}${n === 1 ? '' : 's'}`);
    rest -= n * size;
  }
  return parts.join(' ') || '0 minutes';
}

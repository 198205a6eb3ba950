import type { ExecutionInspector, ExecutionPath, JourneyRuntime, StartEnrollment } from './store.ts';

const clone = <T>(value: T): T => structuredClone(value);

/**
 * A JourneyRuntime that records what it is asked: started executions (the same name and input
 * start one, as on AWS), stops, resumed task tokens and publications. A started execution reads
 * as RUNNING unless `statuses` says otherwise; one removed from `started` no longer exists.
 */
export function createMemoryJourneys() {
  const started: StartEnrollment[] = [];
  const stopped: { executionArn: string; reason: string }[] = [];
  const resumed: { taskToken: string; output: unknown }[] = [];
  const published: { journeyId: string; definition: string; version: number }[] = [];
  const statuses = new Map<string, ExecutionPath['status']>();
  const executionArnFor = (stateMachineArn: string, enrollmentId: string) =>
    `${stateMachineArn.replace(':stateMachine:', ':execution:').replace(/:\d+$/, '')}:${enrollmentId}`;
  const arnOf = (request: StartEnrollment) => executionArnFor(request.stateMachineArn, request.enrollmentId);
  const runtime: JourneyRuntime & ExecutionInspector = {
    executionArnFor,
    async start(request) {
      const existing = started.find((s) => s.enrollmentId === request.enrollmentId && arnOf(s) === arnOf(request));
      if (existing && JSON.stringify(existing.input) !== JSON.stringify(request.input)) {
        throw Object.assign(new Error('execution already exists with other input'), { name: 'ExecutionAlreadyExists' });
      }
      if (!existing) started.push(clone(request));
      return { executionArn: arnOf(request) };
    },
    async stop(executionArn, reason) {
      stopped.push({ executionArn, reason });
    },
    async executionStatus(executionArn) {
      if (!started.some((s) => arnOf(s) === executionArn)) return undefined;
      return statuses.get(executionArn) ?? 'RUNNING';
    },
    async resume(taskToken, output) {
      if (resumed.some((r) => r.taskToken === taskToken)) return 'gone';
      resumed.push({ taskToken, output: clone(output) });
      return 'resumed';
    },
    async publish(journeyId, definition) {
      const version = published.filter((p) => p.journeyId === journeyId).length + 1;
      published.push({ journeyId, definition, version });
      const stateMachineArn = `arn:aws:states:us-east-1:000000000000:stateMachine:tend-${journeyId}`;
      return { stateMachineArn, versionArn: `${stateMachineArn}:${version}`, aliasArn: `${stateMachineArn}:live` };
    },
  };
  return Object.assign(runtime, { started, stopped, resumed, published, statuses });
}

import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { JourneyRuntime } from '#ports/journeys.ts';

/** `arn:…:stateMachine:<machine>` → `arn:…:execution:<machine>:<name>` (the documented format). */
export const executionArnFor = (stateMachineArn: string, name: string): string =>
  `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;

/** Starts enrollments as Step Functions executions named by the enrollment id. */
export function createSfnJourneyRuntime(sfn: SFNClient, stateMachineArns: Record<string, string>): JourneyRuntime {
  return {
    async start({ journeyId, enrollmentId, input }) {
      const stateMachineArn = stateMachineArns[journeyId];
      if (!stateMachineArn) throw new Error(`no state machine is configured for journey "${journeyId}"`);
      try {
        const out = await sfn.send(
          new StartExecutionCommand({ stateMachineArn, name: enrollmentId, input: JSON.stringify(input) }),
        );
        if (!out.executionArn) throw new Error('StartExecution returned no executionArn');
        return { executionArn: out.executionArn };
      } catch (error) {
        // A retry after the first start went through: a running execution with the same input is
        // returned as is, but a finished one answers ExecutionAlreadyExists. Either way it is ours.
        if (error instanceof ExecutionAlreadyExists)
          return { executionArn: executionArnFor(stateMachineArn, enrollmentId) };
        throw error;
      }
    },
  };
}

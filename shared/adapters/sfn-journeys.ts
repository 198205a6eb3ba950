import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { JourneyRuntime } from '#ports/journeys.ts';

/** Starts enrollments as Step Functions executions named by the enrollment id. */
export function createSfnJourneyRuntime(sfn: SFNClient, stateMachineArns: Record<string, string>): JourneyRuntime {
  return {
    async start({ journeyId, enrollmentId, input }) {
      const stateMachineArn = stateMachineArns[journeyId];
      if (!stateMachineArn) throw new Error(`no state machine is configured for journey "${journeyId}"`);
      const out = await sfn.send(
        new StartExecutionCommand({ stateMachineArn, name: enrollmentId, input: JSON.stringify(input) }),
      );
      if (!out.executionArn) throw new Error('StartExecution returned no executionArn');
      return { executionArn: out.executionArn };
    },
  };
}

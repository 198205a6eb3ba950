import type { ContactStore } from '#contacts/store.ts';
import type { Clock } from '#core/clock.ts';
import { finishEnrollment } from './context.ts';
import type { EnrollmentStore } from './store.ts';

export interface EndEnrollmentRequest {
  contactId: string;
  enrollmentId: string;
  journeyId: string;
  journeyVersion?: number;
  nodeId: string;
  outcome: 'completed' | 'failed';
  error?: { Error?: string; Cause?: string };
}

/** Marks an enrollment ended (exit node, or a failed step) and records `journey.exited` once, however often it runs. */
export async function endEnrollment(
  deps: { store: EnrollmentStore & ContactStore; clock: Clock },
  req: EndEnrollmentRequest,
): Promise<{ ended: boolean }> {
  const ended = await finishEnrollment(
    deps,
    {
      contactId: req.contactId,
      enrollmentId: req.enrollmentId,
      journeyId: req.journeyId,
      journeyVersion: req.journeyVersion ?? 0,
    },
    req.outcome,
    { reason: req.outcome, nodeId: req.nodeId, ...(req.error?.Error ? { error: req.error.Error } : {}) },
  );
  return { ended };
}

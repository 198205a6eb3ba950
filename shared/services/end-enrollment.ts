import type { Clock } from '#ports/clock.ts';
import type { ContactStore, EnrollmentStore } from '#ports/store.ts';

export interface EndEnrollmentRequest {
  contactId: string;
  enrollmentId: string;
  journeyId: string;
  nodeId: string;
  outcome: 'completed' | 'failed';
  error?: { Error?: string; Cause?: string };
}

/** Marks an enrollment ended and records `journey.exited` once, however often it runs. */
export async function endEnrollment(
  deps: { store: EnrollmentStore & ContactStore; clock: Clock },
  req: EndEnrollmentRequest,
): Promise<{ ended: boolean }> {
  const at = deps.clock.now().toISOString();
  const ended = await deps.store.endEnrollment(req.contactId, req.enrollmentId, req.outcome, at);
  await deps.store.appendEvent({
    eventId: `journey.exited:${req.enrollmentId}`,
    contactId: req.contactId,
    name: 'journey.exited',
    at,
    data: {
      journeyId: req.journeyId,
      enrollmentId: req.enrollmentId,
      nodeId: req.nodeId,
      reason: req.outcome,
      ...(req.error?.Error ? { error: req.error.Error } : {}),
    },
  });
  return { ended };
}

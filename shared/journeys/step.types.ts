import type * as z from 'zod';
import type { ContactStore } from '#contacts/store.ts';
import type { Clock } from '#core/clock.ts';
import type { MailSender } from '#messaging/mail.ts';
import type { AggregateStore } from '#reports/store.ts';
import type { SegmentStore } from '#segments/store.ts';
import type { VersionCache } from './context.ts';
import type { stepRequestSchema } from './step-request.schema.ts';
import type { EnrollmentStore, JourneyRuntime, JourneyStore, TaskStore, WaiterStore } from './store.ts';

/** What the journey-step function is asked, what it answers and what it runs with. */

/** The step task's request, as `stepRequestSchema` (./step-request.schema.ts) parses it. */
export type StepRequest = z.infer<typeof stepRequestSchema>;

export type StepResult =
  | { next: string; branch?: string }
  | { until: string }
  | { waiting: true; resumedAt?: string }
  | { done: true };

export interface StepDeps {
  store: ContactStore &
    EnrollmentStore &
    JourneyStore &
    WaiterStore &
    TaskStore &
    Pick<SegmentStore, 'listMemberships'>;
  runtime: JourneyRuntime;
  clock: Clock;
  versions?: VersionCache;
  outbound?: {
    enqueue(input: {
      endpointId: string;
      key: string;
      type: string;
      data: Record<string, unknown>;
    }): Promise<{ outcome: string }>;
  };
  mail?: MailSender;
  settings: { defaultTimeZone: string; ownerEmail?: string; from?: string };
  /** Where node visits are counted for the journey report (optional: the simulator counts its own). */
  aggregates?: AggregateStore;
}

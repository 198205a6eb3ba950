import { describe } from 'vitest';
import { dueQueueContract } from './stores.contract/due.ts';
import { enrollmentChecksContract } from './stores.contract/enrollment-checks.ts';
import { enrollmentsContract } from './stores.contract/enrollments.ts';
import { journeysContract } from './stores.contract/journeys.ts';
import { schedulesAndScansContract } from './stores.contract/scans.ts';
import type { ContractOptions, MakeStore } from './stores.contract/support.ts';
import { tasksContract } from './stores.contract/tasks.ts';
import { waitersContract } from './stores.contract/waiters.ts';

/**
 * Runs the journey storage contract against the stores `makeStore` returns: one contract for the
 * journey storage ports (JourneyStore, EnrollmentStore with its checks, WaiterStore, TaskStore,
 * DueStore), run against every adapter. A store may be shared by concurrent tests, so every test
 * works on its own random ids and asserts only on those; due times lie centuries ahead, where no
 * real scheduler looks; and the journeys published here trigger on an event nothing sends, so
 * routing never enrolls anyone in them.
 */
export function journeyStoreContract(name: string, makeStore: MakeStore, options: ContractOptions) {
  describe(`journey stores (${name})`, () => {
    journeysContract(makeStore);
    enrollmentsContract(makeStore);
    enrollmentChecksContract(makeStore);
    waitersContract(makeStore);
    tasksContract(makeStore);
    dueQueueContract(makeStore);
    schedulesAndScansContract(makeStore, options);
  });
}

import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Contact, Enrollment } from '#core/contact.ts';
import {
  batchPut,
  batchWrite,
  catalogBump,
  eventItem,
  firstConditionFailed,
  strip,
  tableOps,
} from '#platform/dynamo-table.ts';
import type {
  DueItem,
  DueStore,
  EnrollmentCheck,
  EnrollmentStore,
  EnrollOutcome,
  EventWaiter,
  JourneyDraft,
  JourneyStore,
  JourneySummary,
  JourneyVersion,
  OwnerTask,
  ScanJob,
  TaskStore,
  WaiterStore,
} from './store.ts';
import { firstCheckOf } from './store.ts';

/**
 * Journey items in the single table (pk / sk):
 *   JOURNEYS             <journeyId>                       journey       (summary: status, live version)
 *   JOURNEY#<id>         DRAFT | V#<000001> | SCHEDULE     journey-draft, journey-version, journey-schedule
 *   CONTACT#<id>         ENROLLMENT#<enrollmentId>         enrollment    (`waiterKeys: 'enrollment'` when its
 *                                                                           waiters are kept with it)
 *   CONTACT#<id>         ENROLLMENT#<enrollmentId>#WAITER#<event>#<node>   waiter (TTL on expiresAt)
 *   CONTACT#<id>         JSTATE#<journeyId>                journey-state (active enrollment, entries)
 *   CONTACT#<id>         WAITER#<event>#<enrollment>#<node> waiter     (the earlier form, still read while
 *                                                                        an enrollment without `waiterKeys` is active)
 *   TASKS                <taskId>                          task
 *   DUE#<yyyy-mm-ddThh>  <dueAt>#<journey>#<contact>#<n>   due           (time-trigger queue, hour buckets)
 *   DUE-HOURS            <yyyy-mm-ddThh>                   due-hour      (every hour whose bucket holds items)
 *   JOBS                 <jobId>                           scan-job      (schedule runs, backfills)
 *   ENROLLMENT-CHECKS    <at>#<contactId>#<enrollmentId>   enrollment-check (the repair sweep's queue)
 */
const contactPk = (id: string) => `CONTACT#${id}`;
const journeyPk = (id: string) => `JOURNEY#${id}`;
const versionSk = (n: number) => `V#${String(n).padStart(6, '0')}`;
const hourOf = (iso: string) => iso.slice(0, 13);
const DUE_HOURS = 'DUE-HOURS';
const HOUR_MS = 3_600_000;
/** At most this many listed hours remembered (a year of hours is 8,760). */
const LISTED_AHEAD_MAX = 10_000;
const CHECKS = 'ENROLLMENT-CHECKS';
const checkSk = (c: EnrollmentCheck) => `${c.at}#${c.contactId}#${c.enrollmentId}`;
const checkItem = (c: EnrollmentCheck) => ({ pk: CHECKS, sk: checkSk(c), type: 'enrollment-check', ...c });

/**
 * The parts of an UpdateItem that keep the latest time of each event name in `lastEventAt`: each
 * SET holds only if no later time is kept (names `#le<i>`, values `:le<i>`).
 */
export function lastEventsUpdate(latest: Readonly<Record<string, string>>) {
  const entries = Object.entries(latest);
  return {
    sets: entries.map((_, i) => `lastEventAt.#le${i} = :le${i}`),
    conditions: entries.map((_, i) => `(attribute_not_exists(lastEventAt.#le${i}) OR lastEventAt.#le${i} < :le${i})`),
    names: Object.fromEntries(entries.map(([name], i) => [`#le${i}`, name])),
    values: Object.fromEntries(entries.map(([, at], i) => [`:le${i}`, at])),
  };
}

export function createDynamoJourneyStores(
  db: DynamoDBDocumentClient,
  tableName: string,
): JourneyStore &
  EnrollmentStore &
  WaiterStore &
  TaskStore &
  DueStore & {
    /** Due items with other unconditional puts in one request (the contact store's event writes). */
    putDueWith(items: readonly DueItem[], alongside: readonly Record<string, unknown>[]): Promise<void>;
  } {
  const { conditional, get, queryItems, queryPrefix, withMap } = tableOps(db, tableName);
  const put = (item: Record<string, unknown>, condition?: string, values?: Record<string, unknown>) =>
    conditional(() =>
      db.send(
        new PutCommand({
          TableName: tableName,
          Item: item,
          ConditionExpression: condition,
          ExpressionAttributeValues: values,
        }),
      ),
    );
  const queryRaw = queryItems;
  const summaryItem = (s: JourneySummary) => ({ pk: 'JOURNEYS', sk: s.journeyId, type: 'journey', ...s });

  const journeys: JourneyStore = {
    getJourney: (id) => get<JourneySummary>('JOURNEYS', id),
    listJourneys: () => queryPrefix<JourneySummary>('JOURNEYS', ''),
    getDraft: (id) => get<JourneyDraft>(journeyPk(id), 'DRAFT'),
    async saveDraft(draft, name) {
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: { pk: journeyPk(draft.journeyId), sk: 'DRAFT', type: 'journey-draft', ...draft },
                  ConditionExpression: draft.revision === 1 ? 'attribute_not_exists(pk)' : 'revision = :previous',
                  ExpressionAttributeValues: draft.revision === 1 ? undefined : { ':previous': draft.revision - 1 },
                },
              },
              {
                Update: {
                  TableName: tableName,
                  Key: { pk: 'JOURNEYS', sk: draft.journeyId },
                  UpdateExpression:
                    'SET #type = :type, journeyId = :id, #name = :name, #status = if_not_exists(#status, :draft), ' +
                    'draftRevision = :rev, latestVersion = if_not_exists(latestVersion, :zero), updatedAt = :at, updatedBy = :by',
                  ExpressionAttributeNames: { '#type': 'type', '#name': 'name', '#status': 'status' },
                  ExpressionAttributeValues: {
                    ':type': 'journey',
                    ':id': draft.journeyId,
                    ':name': name,
                    ':draft': 'draft',
                    ':rev': draft.revision,
                    ':zero': 0,
                    ':at': draft.savedAt,
                    ':by': draft.savedBy,
                  },
                },
              },
            ],
          }),
        );
        return 'saved';
      } catch (error) {
        if (firstConditionFailed(error)) return 'conflict';
        throw error;
      }
    },
    async publishVersion(version, summary) {
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: {
                    pk: journeyPk(version.journeyId),
                    sk: versionSk(version.version),
                    type: 'journey-version',
                    ...version,
                  },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: summaryItem(summary),
                  ConditionExpression:
                    version.version === 1
                      ? 'attribute_not_exists(latestVersion) OR latestVersion = :zero'
                      : 'latestVersion = :previous',
                  ExpressionAttributeValues:
                    version.version === 1 ? { ':zero': 0 } : { ':previous': version.version - 1 },
                },
              },
              catalogBump(tableName),
            ],
          }),
        );
        return 'published';
      } catch (error) {
        if (
          error instanceof TransactionCanceledException &&
          error.CancellationReasons?.some((r) => r.Code === 'ConditionalCheckFailed')
        ) {
          return 'conflict';
        }
        throw error;
      }
    },
    getVersion: (id, n) => get<JourneyVersion>(journeyPk(id), versionSk(n)),
    listVersions: (id) => queryPrefix<JourneyVersion>(journeyPk(id), 'V#'),
    async setJourneyStatus(id, status, at, by) {
      return conditional(() =>
        db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: tableName,
                  Key: { pk: 'JOURNEYS', sk: id },
                  UpdateExpression: 'SET #s = :s, updatedAt = :at, updatedBy = :by',
                  ConditionExpression: 'attribute_exists(pk)',
                  ExpressionAttributeNames: { '#s': 'status' },
                  ExpressionAttributeValues: { ':s': status, ':at': at, ':by': by },
                },
              },
              catalogBump(tableName),
            ],
          }),
        ),
      );
    },
  };

  const enrollmentKey = (contactId: string, enrollmentId: string) => ({
    pk: contactPk(contactId),
    sk: `ENROLLMENT#${enrollmentId}`,
  });
  const stateKey = (contactId: string, journeyId: string) => ({ pk: contactPk(contactId), sk: `JSTATE#${journeyId}` });

  const enrollments: EnrollmentStore = {
    async enroll(enrollment, rules) {
      // Optimistic: read the contact's state for this journey, decide, then write the enrollment
      // and the new state in one transaction conditional on the state not having moved.
      const readEnrollment = () =>
        get<Enrollment>(contactPk(enrollment.contactId), `ENROLLMENT#${enrollment.enrollmentId}`);
      for (let attempt = 0; attempt < 5; attempt++) {
        // A contact created a moment ago has no state yet: write at once (conditional on that);
        // if it has one after all, the next round reads it.
        const assumeNew = attempt === 0 && rules.firstEntry === true;
        // The state and this enrollment, read together (one BatchGetItem).
        const [read, existing] = assumeNew
          ? [undefined, undefined]
          : await Promise.all([
              get<{ active?: string; entries?: number; lastEnteredAt?: string; rev?: number }>(
                contactPk(enrollment.contactId),
                `JSTATE#${enrollment.journeyId}`,
              ),
              readEnrollment(),
            ]);
        if (existing) return { outcome: 'exists', enrollment: existing };
        const state = read ?? { entries: 0, rev: 0 };
        const entries = state.entries ?? 0;
        const refusal: Extract<EnrollOutcome, { outcome: 'refused' }>['reason'] | undefined = state.active
          ? 'active'
          : rules.reentry.mode === 'never' && entries > 0
            ? 'entered-before'
            : rules.reentry.mode === 'after-cool-off' &&
                state.lastEnteredAt &&
                Date.parse(enrollment.enteredAt) - Date.parse(state.lastEnteredAt) < (rules.coolOffMs ?? 0)
              ? 'cooling-off'
              : rules.maxEntries !== undefined && entries >= rules.maxEntries
                ? 'max-entries'
                : undefined;
        if (refusal) {
          // The state may count this very enrollment (the same trigger, delivered twice at once,
          // landing between the two reads): then it is a replay, not a refusal.
          const landed = await readEnrollment();
          return landed ? { outcome: 'exists', enrollment: landed } : { outcome: 'refused', reason: refusal };
        }
        const rev = state.rev ?? 0;
        try {
          await db.send(
            new TransactWriteCommand({
              TransactItems: [
                // The first look of the repair sweep rides on this write: no request of its own.
                ...(enrollment.status === 'active'
                  ? [{ Put: { TableName: tableName, Item: checkItem(firstCheckOf(enrollment)) } }]
                  : []),
                {
                  Put: {
                    TableName: tableName,
                    Item: {
                      ...enrollmentKey(enrollment.contactId, enrollment.enrollmentId),
                      type: 'enrollment',
                      waiterKeys: 'enrollment',
                      ...enrollment,
                    },
                    ConditionExpression: 'attribute_not_exists(pk)',
                  },
                },
                {
                  Put: {
                    TableName: tableName,
                    Item: {
                      ...stateKey(enrollment.contactId, enrollment.journeyId),
                      type: 'journey-state',
                      journeyId: enrollment.journeyId,
                      entries: entries + 1,
                      lastEnteredAt: enrollment.enteredAt,
                      rev: rev + 1,
                      ...(enrollment.status === 'active' ? { active: enrollment.enrollmentId } : {}),
                    },
                    ConditionExpression: rev === 0 ? 'attribute_not_exists(pk)' : 'rev = :rev',
                    ExpressionAttributeValues: rev === 0 ? undefined : { ':rev': rev },
                  },
                },
                ...(rules.entered ? [{ Put: { TableName: tableName, Item: eventItem(rules.entered) } }] : []),
              ],
            }),
          );
          return { outcome: 'created' };
        } catch (error) {
          if (!(error instanceof TransactionCanceledException)) throw error;
          // Either the same enrollment landed meanwhile (next round returns it) or another
          // enrollment moved the state (next round decides again).
        }
      }
      throw new Error(`could not enroll ${enrollment.contactId} in ${enrollment.journeyId}: state kept changing`);
    },
    getEnrollment: (contactId, enrollmentId) => get<Enrollment>(contactPk(contactId), `ENROLLMENT#${enrollmentId}`),
    async setExecutionArn(contactId, enrollmentId, executionArn) {
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: enrollmentKey(contactId, enrollmentId),
          UpdateExpression: 'SET executionArn = :arn',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':arn': executionArn },
        }),
      );
    },
    async endEnrollment(contactId, enrollmentId, status, at, detail) {
      const found = await get<Enrollment>(contactPk(contactId), `ENROLLMENT#${enrollmentId}`);
      if (found?.status !== 'active') return false;
      const sets = ['#s = :s', 'endedAt = :at'];
      const values: Record<string, unknown> = { ':s': status, ':at': at, ':active': 'active' };
      if (detail?.reason) {
        sets.push('exitReason = :r');
        values[':r'] = detail.reason;
      }
      if (detail?.nodeId) {
        sets.push('exitNodeId = :n');
        values[':n'] = detail.nodeId;
      }
      const endIt = {
        Update: {
          TableName: tableName,
          Key: enrollmentKey(contactId, enrollmentId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: '#s = :active',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: values,
        },
      };
      const freeSlot = {
        Update: {
          TableName: tableName,
          Key: stateKey(contactId, found.journeyId),
          UpdateExpression: 'REMOVE active SET rev = if_not_exists(rev, :zero) + :one',
          ConditionExpression: 'active = :id',
          ExpressionAttributeValues: { ':id': enrollmentId, ':zero': 0, ':one': 1 },
        },
      };
      for (let attempt = 0; attempt < 5; attempt++) {
        try {
          // Ending and freeing the slot happen together, so a crash cannot leave the slot taken.
          await db.send(new TransactWriteCommand({ TransactItems: [endIt, freeSlot] }));
          return true;
        } catch (error) {
          if (!(error instanceof TransactionCanceledException)) throw error;
          const [ending, slot] = error.CancellationReasons ?? [];
          if (ending?.Code === 'ConditionalCheckFailed') return false;
          // The slot is not this enrollment's: end the enrollment alone.
          if (slot?.Code === 'ConditionalCheckFailed')
            return conditional(() => db.send(new UpdateCommand(endIt.Update)));
          // Cancelled by a concurrent transaction (TransactionConflict): ending alone here would
          // leave the slot taken for good, so try both again.
        }
      }
      throw new Error(`could not end ${enrollmentId} of ${contactId}: its items kept changing`);
    },
    async markConverted(contactId, enrollmentId, conversion, converted) {
      const update = {
        TableName: tableName,
        Key: enrollmentKey(contactId, enrollmentId),
        UpdateExpression: 'SET conversion = :c',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(conversion)',
        ExpressionAttributeValues: { ':c': conversion },
      };
      if (!converted) return conditional(() => db.send(new UpdateCommand(update)));
      // The conversion and its timeline event in one transaction: neither without the other.
      return conditional(() =>
        db.send(
          new TransactWriteCommand({
            TransactItems: [{ Update: update }, { Put: { TableName: tableName, Item: eventItem(converted) } }],
          }),
        ),
      );
    },
    async listEnrollments(contactId) {
      const items = await queryItems('pk = :pk AND begins_with(sk, :prefix)', {
        ':pk': contactPk(contactId),
        ':prefix': 'ENROLLMENT#',
      });
      return items.filter((item) => item.type === 'enrollment').map((item) => strip<Enrollment>(item) as Enrollment);
    },
    async listEnrollmentChecks(before, limit) {
      const out = await db.send(
        new QueryCommand({
          TableName: tableName,
          // `~` sorts after every character of the ids that follow `at`.
          KeyConditionExpression: 'pk = :pk AND sk <= :last',
          ExpressionAttributeValues: { ':pk': CHECKS, ':last': `${before}#~` },
          Limit: limit,
        }),
      );
      return (out.Items ?? []).map((item) => strip<EnrollmentCheck>(item) as EnrollmentCheck);
    },
    async putEnrollmentCheck(check) {
      await put(checkItem(check));
    },
    async deleteEnrollmentCheck(check) {
      await db.send(new DeleteCommand({ TableName: tableName, Key: { pk: CHECKS, sk: checkSk(check) } }));
    },
    async moveEnrollmentCheck(done, next) {
      if (checkSk(done) === checkSk(next)) return put(checkItem(next)).then(() => undefined);
      await batchWrite(db, tableName, [
        { PutRequest: { Item: checkItem(next) } },
        { DeleteRequest: { Key: { pk: CHECKS, sk: checkSk(done) } } },
      ]);
    },
  };

  /** A waiter is kept with its enrollment, so one query of a contact's enrollments finds its waits too. */
  const waiterSk = (w: Pick<EventWaiter, 'event' | 'enrollmentId' | 'nodeId' | 'legacyKey'>) =>
    w.legacyKey
      ? `WAITER#${w.event}#${w.enrollmentId}#${w.nodeId}`
      : `ENROLLMENT#${w.enrollmentId}#WAITER#${w.event}#${w.nodeId}`;
  // Read whole: `strip` would drop `expiresAt`, which is both the TTL and part of the waiter.
  const waiterOf = ({ pk: _pk, sk: _sk, type: _type, ...waiter }: Record<string, unknown>) =>
    waiter as unknown as EventWaiter;
  /** Waiters registered in the earlier form (under WAITER#), marked so they are deleted by that key. */
  const legacyWaiters = async (contactId: string, event: string) =>
    (
      await queryRaw('pk = :pk AND begins_with(sk, :prefix)', {
        ':pk': contactPk(contactId),
        ':prefix': `WAITER#${event}#`,
      })
    )
      .map((item) => ({ ...waiterOf(item), legacyKey: true as const }))
      // The prefix of `a` also matches an event named `a#b`.
      .filter((w) => w.event === event);
  const waiters: WaiterStore = {
    async putWaiter(w) {
      const { legacyKey: _legacy, ...waiter } = w;
      await put({ pk: contactPk(w.contactId), sk: waiterSk(waiter), type: 'waiter', ...waiter });
    },
    async listWaiters(contactId, event) {
      return (await waiters.listEnrollmentsAndWaiters(contactId, event)).waiters;
    },
    async listEnrollmentsAndWaiters(contactId, event) {
      const items = await queryRaw('pk = :pk AND begins_with(sk, :prefix)', {
        ':pk': contactPk(contactId),
        ':prefix': 'ENROLLMENT#',
      });
      const enrolled = items.filter((item) => item.type === 'enrollment');
      const found = items
        .filter((item) => item.type === 'waiter')
        .map(waiterOf)
        .filter((w) => w.event === event);
      // An enrollment that was active before waiters moved may still wait under the earlier key.
      const earlier = enrolled.some((item) => item.status === 'active' && item.waiterKeys !== 'enrollment')
        ? await legacyWaiters(contactId, event)
        : [];
      return {
        enrollments: enrolled.map((item) => strip<Enrollment>(item) as Enrollment),
        waiters: [...found, ...earlier],
      };
    },
    async deleteWaiter(w) {
      await conditional(() =>
        db.send(
          new DeleteCommand({
            TableName: tableName,
            Key: { pk: contactPk(w.contactId), sk: waiterSk(w) },
            ConditionExpression: '#t = :token',
            ExpressionAttributeNames: { '#t': 'token' },
            ExpressionAttributeValues: { ':token': w.token },
          }),
        ),
      );
    },
  };

  const tasks: TaskStore = {
    async putTask(task) {
      return (await put({ pk: 'TASKS', sk: task.taskId, type: 'task', ...task }, 'attribute_not_exists(pk)'))
        ? 'created'
        : 'exists';
    },
    async listTasks(status) {
      const all = await queryPrefix<OwnerTask>('TASKS', '');
      return all.filter((t) => !status || t.status === status).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    },
    async completeTask(taskId, at) {
      return conditional(() =>
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: 'TASKS', sk: taskId },
            UpdateExpression: 'SET #s = :done, doneAt = :at',
            ConditionExpression: 'attribute_exists(pk) AND #s = :open',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':done': 'done', ':open': 'open', ':at': at },
          }),
        ),
      );
    },
  };

  /** A journey's item is keyed by its trigger; a contact's score and segment items by their kind too. */
  const legacySk = (i: DueItem) => `${i.dueAt}#${i.journeyId}#${i.contactId}#${i.trigger}`;
  const dueSk = (i: DueItem) => (i.journeyId ? legacySk(i) : `${legacySk(i)}#${i.kind}`);
  const hourKey = (hour: string) => ({ pk: DUE_HOURS, sk: hour });
  /** The hours listed in DUE-HOURS, oldest first, up to `last` when given. */
  async function* dueHours(last?: string): AsyncGenerator<string> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await db.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: last ? 'pk = :pk AND sk <= :last' : 'pk = :pk',
          ExpressionAttributeValues: last ? { ':pk': DUE_HOURS, ':last': last } : { ':pk': DUE_HOURS },
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
          Limit: 100,
        }),
      );
      for (const item of out.Items ?? []) yield String(item.sk);
      startKey = out.LastEvaluatedKey;
    } while (startKey);
  }
  const bucket = (hour: string, limit: number) => queryPrefix<DueItem>(`DUE#${hour}`, '', limit);
  /**
   * Unlists an hour whose bucket was found empty. An item put meanwhile is put before its writer
   * checks the hour's entry, so either that writer sees the entry gone and lists the hour again,
   * or the second look here (after the delete) finds the item and does.
   */
  const unlistHour = async (hour: string) => {
    listedAhead.delete(hour);
    await db.send(new DeleteCommand({ TableName: tableName, Key: hourKey(hour) }));
    if ((await bucket(hour, 1)).length > 0) await put({ ...hourKey(hour), type: 'due-hour' });
  };
  /**
   * Hours this store saw listed while they were more than an hour ahead. The sweep unlists an
   * hour only once it is empty and the sweep's clock has reached it (`listDue`), so an hour still
   * more than an hour ahead of the clock is still listed: a put there need not look at DUE-HOURS
   * again (most due items are days or months ahead: inactivity, segment windows, scores).
   * `nextDueAt` (the simulator's, on the memory store) unlists empty hours ahead too, and forgets
   * them here.
   */
  const listedAhead = new Set<string>();
  const aheadOfClock = (hour: string) => Date.parse(`${hour}:00:00.000Z`) - Date.now() > HOUR_MS;
  /**
   * Queues due items, with `alongside` (other unconditional puts, an event and its order
   * reference) in the same request when there are several.
   */
  const putDueWith = async (items: readonly DueItem[], alongside: readonly Record<string, unknown>[]) => {
    const dueItem = (item: DueItem) => ({ pk: `DUE#${hourOf(item.dueAt)}`, sk: dueSk(item), type: 'due', ...item });
    // One item per key (a batch may not name a key twice).
    const unique = [...new Map(items.map((item) => [`${hourOf(item.dueAt)}\n${dueSk(item)}`, item])).values()];
    const writes = [...alongside, ...unique.map(dueItem)];
    if (writes.length === 1) await put(writes[0] as Record<string, unknown>);
    else if (writes.length > 1) await batchPut(db, tableName, writes);

    // After the items, so an hour unlisted as empty before an item landed is listed again. The
    // hours' entries are read together (one request).
    await Promise.all(
      [...new Set(items.map((item) => hourOf(item.dueAt)))].map(async (hour) => {
        if (listedAhead.has(hour) && aheadOfClock(hour)) return;
        if (!(await get(DUE_HOURS, hour))) await put({ ...hourKey(hour), type: 'due-hour' });
        if (!aheadOfClock(hour)) return;
        if (listedAhead.size >= LISTED_AHEAD_MAX) listedAhead.delete(listedAhead.values().next().value as string);
        listedAhead.add(hour);
      }),
    );
  };
  /**
   * Sets each name's time unless a later one is kept, in one write; when another write kept a
   * later time for one of them, name by name. Contacts are created with the map (see `withMap`).
   */
  const touchLastEvents = async (contactId: string, latest: Readonly<Record<string, string>>): Promise<void> => {
    const key = { pk: contactPk(contactId), sk: 'PROFILE' };
    const write = (entries: [string, string][]) => {
      const update = lastEventsUpdate(Object.fromEntries(entries));
      return conditional(() =>
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key,
            UpdateExpression: `SET ${update.sets.join(', ')}`,
            ConditionExpression: ['attribute_exists(pk)', ...update.conditions].join(' AND '),
            ExpressionAttributeNames: update.names,
            ExpressionAttributeValues: update.values,
          }),
        ),
      );
    };
    const entries = Object.entries(latest);
    if (entries.length === 0) return;
    if (await withMap(key, 'lastEventAt', () => write(entries))) return;
    if (entries.length > 1) for (const entry of entries) await withMap(key, 'lastEventAt', () => write([entry]));
  };

  const due: DueStore = {
    async putDue(input) {
      await putDueWith(Array.isArray(input) ? input : [input as DueItem], []);
    },
    async listDue(now, limit) {
      // Every listed hour up to now, however far back or apart: emptied hours are unlisted as
      // they are met, so the listed ones up to now are few.
      const items: DueItem[] = [];
      for await (const hour of dueHours(hourOf(now))) {
        if (items.length >= limit) break;
        const found = await bucket(hour, limit - items.length);
        if (found.length === 0) await unlistHour(hour);
        // A bucket is in time order: only the current hour's holds items not yet due.
        items.push(...found.filter((d) => d.dueAt <= now));
      }
      return items;
    },
    async deleteDue(item) {
      const pk = `DUE#${hourOf(item.dueAt)}`;
      if (item.journeyId) {
        await db.send(new DeleteCommand({ TableName: tableName, Key: { pk, sk: dueSk(item) } }));
        return;
      }
      // A score or segment item queued before its kind was in its key has the journey's form.
      await batchWrite(
        db,
        tableName,
        [dueSk(item), legacySk(item)].map((sk) => ({ DeleteRequest: { Key: { pk, sk } } })),
      );
    },
    async nextDueAt() {
      for await (const hour of dueHours()) {
        const [first] = await bucket(hour, 1);
        if (first) return first.dueAt;
        await unlistHour(hour);
      }
      return undefined;
    },
    async getScheduleState(journeyId) {
      return (await get<{ nextRuns: Record<string, string> }>(journeyPk(journeyId), 'SCHEDULE'))?.nextRuns ?? {};
    },
    async setScheduleState(journeyId, nextRuns) {
      await put({ pk: journeyPk(journeyId), sk: 'SCHEDULE', type: 'journey-schedule', nextRuns });
    },
    getScanJob: (jobId) => get<ScanJob>('JOBS', jobId),
    async putScanJob(job) {
      await put({ pk: 'JOBS', sk: job.jobId, type: 'scan-job', ...job });
    },
    async listOpenScanJobs() {
      return (await queryPrefix<ScanJob>('JOBS', '')).filter((j) => !j.done);
    },
    async scanContacts(cursor, limit) {
      const out = await db.send(
        new ScanCommand({
          TableName: tableName,
          FilterExpression: '#t = :contact AND attribute_not_exists(mergedInto)',
          ExpressionAttributeNames: { '#t': 'type' },
          ExpressionAttributeValues: { ':contact': 'contact' },
          ExclusiveStartKey: cursor
            ? (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>)
            : undefined,
          Limit: limit,
        }),
      );
      return {
        contacts: (out.Items ?? []).map((item) => strip<Contact>(item) as Contact),
        cursor: out.LastEvaluatedKey
          ? Buffer.from(JSON.stringify(out.LastEvaluatedKey)).toString('base64url')
          : undefined,
      };
    },
    touchLastEvents,
  };
  return { ...journeys, ...enrollments, ...waiters, ...tasks, ...due, putDueWith };
}

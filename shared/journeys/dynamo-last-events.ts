import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { contactPk, tableOps } from '#platform/dynamo-table.ts';
import type { DueStore } from './store.ts';

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

/** The latest time of each event name on the contact (`lastEventAt`), which inactivity triggers read. */
export function createDynamoLastEvents(
  db: DynamoDBDocumentClient,
  tableName: string,
): Pick<DueStore, 'touchLastEvents'> {
  const { conditional, withMap } = tableOps(db, tableName);
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
  return { touchLastEvents };
}

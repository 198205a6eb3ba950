import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { tableOps } from '#platform/dynamo-table.ts';
import type { OwnerTask } from './model.ts';
import type { TaskStore } from './store.ts';

/** Owner tasks on DynamoDB, in one partition (TASKS). */
export function createDynamoTasks(db: DynamoDBDocumentClient, tableName: string): TaskStore {
  const { conditional, put, queryPrefix } = tableOps(db, tableName);
  return {
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
}

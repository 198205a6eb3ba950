import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListStateMachinesCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { invokeFunction } from './functions.ts';

/** Each local service's state, and whether all of them are up. */
export interface LocalHealth {
  ok: boolean;
  services: Record<string, { status: 'ok' | 'down'; detail?: string }>;
}

/** Asks every service of the local stack, and the app's own health function, whether it is up. */
export function localHealthCheck(deps: {
  dynamo: DynamoDBClient;
  tableName: string;
  sesPort: number;
  sfn: SFNClient;
}): () => Promise<LocalHealth> {
  const { dynamo, tableName, sesPort, sfn } = deps;
  return async () => {
    const check = async (probe: () => Promise<unknown>) => {
      try {
        await probe();
        return { status: 'ok' as const };
      } catch (error) {
        return { status: 'down' as const, detail: String(error) };
      }
    };
    const services = {
      dynamodb: await check(() => dynamo.send(new DescribeTableCommand({ TableName: tableName }))),
      ses: await check(async () => {
        const res = await fetch(`http://127.0.0.1:${sesPort}/health-check`);
        if (!res.ok) throw new Error(`status ${res.status}`);
      }),
      stepfunctions: await check(() => sfn.send(new ListStateMachinesCommand({ maxResults: 1 }))),
      table: await check(async () => {
        const res = (await invokeFunction('health', {
          requestContext: { http: { method: 'GET' } },
        })) as APIGatewayProxyStructuredResultV2;
        if (res.statusCode !== 200) throw new Error(res.body);
      }),
    };
    return { ok: Object.values(services).every((s) => s.status === 'ok'), services };
  };
}

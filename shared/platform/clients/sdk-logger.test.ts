import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { withoutSdkLogger } from './sdk-logger.ts';

describe('withoutSdkLogger', () => {
  const client = () =>
    new DynamoDBClient({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });

  it('takes the logger middleware off the client and nothing else', () => {
    const plain = client().middlewareStack.identify();
    const lean = withoutSdkLogger(client()).middlewareStack.identify();

    expect(plain.some((m) => m.startsWith('loggerMiddleware'))).toBe(true);
    expect(lean.some((m) => m.startsWith('loggerMiddleware'))).toBe(false);
    expect(lean).toHaveLength(plain.length - 1);
  });

  it('no longer runs the sensitive-data filter on what a call sends', async () => {
    let filtered = 0;
    const lean = withoutSdkLogger(client());
    const plain = client();
    for (const c of [lean, plain]) {
      // Answer every call here, after the logger middleware's place in the stack.
      c.middlewareStack.add(
        (_next, context) => async () => {
          const filter = context.inputFilterSensitiveLog;
          context.inputFilterSensitiveLog = (input: unknown) => {
            filtered++;
            return filter?.(input);
          };
          return { output: { $metadata: {} }, response: {} };
        },
        { step: 'initialize', priority: 'low', name: 'answer' },
      );
    }
    const get = new GetItemCommand({ TableName: 't', Key: { pk: { S: 'a' } } });

    await lean.send(get);
    expect(filtered).toBe(0);
    await plain.send(get);
    expect(filtered).toBe(1);
  });
});

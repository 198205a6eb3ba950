import type { _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { repairEmptyMaps } from './stream-driver.ts';

describe('repairEmptyMaps', () => {
  it('turns DynamoDB Local empty maps back into maps, at any depth, so images unmarshall', () => {
    // What DynamoDB Local's stream returns for { m: {}, n: { inner: {} }, l: [{}] }.
    const record = {
      eventName: 'INSERT',
      dynamodb: { NewImage: { pk: { S: 'a' }, m: {}, n: { M: { inner: {} } }, l: { L: [{}] } } },
    } as unknown as StreamRecord;
    const image = repairEmptyMaps(record).dynamodb?.NewImage as never;
    expect(unmarshall(image)).toEqual({ pk: 'a', m: {}, n: { inner: {} }, l: [{}] });
  });
});

/** What the local stream driver does with each record it reads, before any consumer sees it. */

import type { _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import type { StreamSpec } from '../manifest.ts';
import { streamFilters } from '../stream-mapping.ts';

/** Whether a stream record reaches a consumer: its filters decide, as Lambda's FilterCriteria do on AWS. */
export function passesFilters(spec: StreamSpec, record: StreamRecord): boolean {
  const image = record.dynamodb?.NewImage;
  const text = (value: { S?: string } | undefined) => (value && 'S' in value ? value.S : undefined);
  const type = text(image?.type);
  if (type === undefined) return false;
  return streamFilters(spec).some(
    (filter) =>
      filter.eventName.includes(record.eventName ?? '') &&
      filter.types.includes(type) &&
      (!filter.names || filter.names.includes(text(image?.name) ?? '')),
  );
}

type Attribute = Record<string, unknown>;

/**
 * DynamoDB Local's stream reads an empty map back as `{}` rather than `{"M":{}}` (as AWS sends
 * it), which unmarshalling then rejects. Restores the `M` so handlers see what they would on AWS.
 */
export function repairEmptyMaps(record: StreamRecord): StreamRecord {
  const fix = (value: Attribute): Attribute => {
    if (Object.keys(value).length === 0) return { M: {} };
    if (value.M) return { M: fixImage(value.M as Record<string, Attribute>) };
    if (Array.isArray(value.L)) return { L: (value.L as Attribute[]).map(fix) };
    return value;
  };
  const fixImage = (image: Record<string, Attribute>) =>
    Object.fromEntries(Object.entries(image).map(([k, v]) => [k, fix(v)]));
  const data = record.dynamodb;
  if (!data) return record;
  return {
    ...record,
    dynamodb: {
      ...data,
      ...(data.NewImage ? { NewImage: fixImage(data.NewImage as unknown as Record<string, Attribute>) } : {}),
      ...(data.OldImage ? { OldImage: fixImage(data.OldImage as unknown as Record<string, Attribute>) } : {}),
    } as unknown as typeof data,
  };
}

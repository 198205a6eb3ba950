import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { FilterCriteria, FilterRule, type IFunction, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { FunctionName, StreamSpec } from '../manifest.ts';
import { DEFAULT_PARALLELIZATION_FACTOR, streamFilters } from '../stream-mapping.ts';
import { acknowledge } from './nag.ts';
import { pascalCase } from './names.ts';

export interface StreamsProps {
  /** Stream consumers, from `manifest.streams`. */
  specs: readonly StreamSpec[];
  /** The table whose stream (NEW_IMAGE) feeds the consumers. */
  table: ITable;
  functions: Readonly<Record<FunctionName, IFunction>>;
}

/**
 * Table stream → function mappings, filtered at the source so a function is only invoked (and
 * billed) for the writes (INSERTs, or MODIFYs too) of the item types it handles. A batch that keeps failing is bisected down
 * to the failing record, whose stream coordinates then go to an encrypted dead-letter queue.
 */
export class Streams extends Construct {
  readonly deadLetterQueues: Queue[] = [];
  /** Each consumer with its dead-letter queue, for alarms. */
  readonly deadLetters: { consumer: FunctionName; queue: Queue }[] = [];

  constructor(scope: Construct, id: string, props: StreamsProps) {
    super(scope, id);
    for (const spec of props.specs) {
      const scope = new Construct(this, pascalCase(spec.function));
      const deadLetterQueue = new Queue(scope, 'DeadLetterQueue', {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      acknowledge(
        deadLetterQueue,
        'AwsSolutions-SQS3',
        'This queue is itself the on-failure destination of the stream mapping; cdk-nag only recognises SQS redrive DLQs',
      );
      props.functions[spec.function].addEventSource(
        new DynamoEventSource(props.table, {
          startingPosition: StartingPosition.TRIM_HORIZON,
          batchSize: spec.batchSize,
          // Batches of other contacts run side by side; one contact's records stay in order.
          parallelizationFactor: spec.parallelizationFactor ?? DEFAULT_PARALLELIZATION_FACTOR,
          // The manifest counts attempts; Lambda counts retries after the first attempt.
          retryAttempts: spec.maxAttempts - 1,
          bisectBatchOnError: true,
          reportBatchItemFailures: true,
          onFailure: new SqsDlq(deadLetterQueue),
          ...(spec.batchingWindowSeconds ? { maxBatchingWindow: Duration.seconds(spec.batchingWindowSeconds) } : {}),
          filters: streamFilters(spec).map((filter) =>
            FilterCriteria.filter({
              eventName: FilterRule.or(...filter.eventName),
              dynamodb: {
                NewImage: {
                  type: { S: FilterRule.or(...filter.types) },
                  ...(filter.names ? { name: { S: FilterRule.or(...filter.names) } } : {}),
                },
              },
            }),
          ),
        }),
      );
      this.deadLetterQueues.push(deadLetterQueue);
      this.deadLetters.push({ consumer: spec.function, queue: deadLetterQueue });
    }
  }
}

import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import type { table as tableSpec } from '../manifest.ts';

export interface DataProps {
  /** Key schema and TTL attribute, from `manifest.table`. */
  spec: typeof tableSpec;
}

/**
 * The single table. Encryption uses the AWS-managed key (`aws/dynamodb`): KMS-backed and logged
 * in CloudTrail, with no monthly key fee and no key policy for each user to maintain. A
 * customer-managed key is a one-line change for users whose compliance regime needs key control.
 */
export class Data extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: DataProps) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: props.spec.partitionKey, type: AttributeType.STRING },
      sortKey: { name: props.spec.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      stream: StreamViewType.NEW_IMAGE,
      timeToLiveAttribute: props.spec.ttlAttribute,
      // Contacts, consent and history are the customer's data: never lost to a stack update or delete.
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}

import { Aws, Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Operation, type Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { FunctionName } from '../manifest.ts';
import { pascalCase } from './names.ts';

/**
 * SES puts an account under review at a 5 % bounce or 0.1 % complaint rate and may pause sending
 * at 10 % or 0.5 % (SES Developer Guide, "Monitoring your Amazon SES sender reputation"). The
 * alarms fire at the review level, while there is still time to clean the list.
 */
export const SES_BOUNCE_RATE_ALARM = 0.05;
export const SES_COMPLAINT_RATE_ALARM = 0.001;

export interface OperationsProps {
  /** Every deployed function, by manifest name (`Functions.byName`). */
  functions: Readonly<Record<FunctionName, IFunction>>;
  /** The on-failure queue of each stream consumer (`Streams.deadLetters`). */
  deadLetters: readonly { consumer: FunctionName; queue: IQueue }[];
  table: Table;
  httpApi: HttpApi;
  /** Journey state machines are named `<prefix>-<journeyId>` and created at run time. */
  journeyPrefix: string;
  /** Address subscribed to the alarm topic (`tend:alarmEmail`); it must confirm the subscription. */
  alarmEmail?: string;
}

const PERIOD = Duration.minutes(5);

/**
 * Alarms on everything that fails silently in a serverless app (dead-lettered stream records,
 * function errors and throttles, table throttles, failed journeys, SES reputation), all notifying
 * one encrypted topic, and a dashboard of the same signals.
 */
export class Operations extends Construct {
  readonly topic: Topic;
  readonly dashboard: Dashboard;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);

    // CloudWatch must be able to use the topic's key, and the AWS managed `aws/sns` key's policy
    // can't grant that: alarms would fail to publish. Hence a customer managed key.
    const key = new Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the Tend alarm topic',
      enableKeyRotation: true,
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
    this.topic = new Topic(this, 'AlarmTopic', { masterKey: key, enforceSSL: true });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    const action = new SnsAction(this.topic);

    const alarm = (id: string, metric: IMetric, threshold: number, description: string): Alarm => {
      const created = new Alarm(this, id, {
        metric,
        threshold,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        // No data means nothing happened: no messages, no invocations, no sends.
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      created.addAlarmAction(action);
      this.alarms.push(created);
      return created;
    };

    for (const { consumer, queue } of props.deadLetters) {
      alarm(
        `${pascalCase(consumer)}DeadLetters`,
        queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }),
        0,
        `Stream records ${consumer} gave up on are waiting in its dead-letter queue`,
      );
    }

    const functions = Object.entries(props.functions) as [FunctionName, IFunction][];
    for (const [name, fn] of functions) {
      alarm(`${pascalCase(name)}Errors`, fn.metricErrors({ period: PERIOD }), 0, `${name} threw or timed out`);
      alarm(`${pascalCase(name)}Throttles`, fn.metricThrottles({ period: PERIOD }), 0, `${name} was throttled`);
    }

    const tableThrottles = new MathExpression({
      expression: 'reads + writes',
      usingMetrics: {
        reads: props.table.metric('ReadThrottleEvents', { period: PERIOD, statistic: 'Sum' }),
        writes: props.table.metric('WriteThrottleEvents', { period: PERIOD, statistic: 'Sum' }),
      },
      label: 'Throttled requests',
      period: PERIOD,
    });
    alarm('TableThrottles', tableThrottles, 0, 'DynamoDB throttled reads or writes on the table');
    // An alarm's math may use at most 10 metrics: the operations the app and the stream issue.
    const tableSystemErrors = props.table.metricSystemErrorsForOperations({
      operations: [
        Operation.GET_ITEM,
        Operation.BATCH_GET_ITEM,
        Operation.PUT_ITEM,
        Operation.UPDATE_ITEM,
        Operation.DELETE_ITEM,
        Operation.QUERY,
        Operation.SCAN,
        Operation.BATCH_WRITE_ITEM,
        Operation.TRANSACT_WRITE_ITEMS,
        Operation.GET_RECORDS,
      ],
      period: PERIOD,
    });
    alarm('TableSystemErrors', tableSystemErrors, 0, 'DynamoDB returned HTTP 500s for the table');

    // Journey state machines are created at run time, so no per-state-machine alarm can exist in
    // the template, and an alarm can't use a SEARCH expression (CloudWatch: "You can't create an
    // alarm based on a SEARCH expression"; CDK MathExpression: "When an expression contains a
    // SEARCH function, it cannot be used within an Alarm"). A Metrics Insights query can back an
    // alarm and follows state machines as they appear, but its WHERE clause matches dimension
    // values exactly, not by prefix. So these alarms cover every state machine in the account and
    // region: for a Tend-only account, that is exactly the journeys. Aborted executions are not
    // alarmed: the app stops executions on purpose (exit criteria, unsubscribes).
    const journeyExecutions = (metricName: string, label: string) =>
      new MathExpression({
        expression: `SELECT SUM(${metricName}) FROM SCHEMA("AWS/States", StateMachineArn)`,
        usingMetrics: {},
        label,
        period: PERIOD,
      });
    alarm(
      'JourneyExecutionsFailed',
      journeyExecutions('ExecutionsFailed', 'Failed executions'),
      0,
      'A Step Functions execution (journey enrollment) failed',
    );
    alarm(
      'JourneyExecutionsTimedOut',
      journeyExecutions('ExecutionsTimedOut', 'Timed-out executions'),
      0,
      'A Step Functions execution (journey enrollment) timed out',
    );

    const ses = (metricName: string, statistic: string, label: string) =>
      new Metric({ namespace: 'AWS/SES', metricName, statistic, period: PERIOD, label });
    const bounceRate = ses('Reputation.BounceRate', 'Maximum', 'Bounce rate');
    const complaintRate = ses('Reputation.ComplaintRate', 'Maximum', 'Complaint rate');
    alarm(
      'SesBounceRate',
      bounceRate,
      SES_BOUNCE_RATE_ALARM,
      'SES account bounce rate is above 5 %: SES reviews the account at 5 % and may pause it at 10 %',
    );
    alarm(
      'SesComplaintRate',
      complaintRate,
      SES_COMPLAINT_RATE_ALARM,
      'SES account complaint rate is above 0.1 %: SES reviews the account at 0.1 % and may pause it at 0.5 %',
    );

    this.dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(3) });
    const graph = (title: string, left: IMetric[], right: IMetric[] = []) =>
      new GraphWidget({ title, left, right, width: 12, height: 6 });
    const perFunction = (metric: (fn: IFunction) => Metric) =>
      functions.map(([name, fn]) => metric(fn).with({ label: name, period: PERIOD }));
    const api = props.httpApi;
    const stateMachines = (metricName: string, label: string) =>
      new MathExpression({
        expression: `SUM(SEARCH('{AWS/States,StateMachineArn} MetricName="${metricName}" ${prefixTerms(props.journeyPrefix)}', 'Sum', 300))`,
        usingMetrics: {},
        label,
        period: PERIOD,
      });

    this.dashboard.addWidgets(
      new TextWidget({
        markdown: `# Tend\nAlarms notify the alarm topic. Journeys are the \`${props.journeyPrefix}-*\` state machines.`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 6 }));
    this.dashboard.addWidgets(
      graph(
        'API requests and errors',
        [
          api.metricCount({ period: PERIOD, label: 'Requests' }),
          api.metricClientError({ period: PERIOD, label: '4xx' }),
          api.metricServerError({ period: PERIOD, label: '5xx' }),
        ],
        [],
      ),
      graph('API latency (ms)', [
        api.metricLatency({ period: PERIOD, statistic: 'p50', label: 'p50' }),
        api.metricLatency({ period: PERIOD, statistic: 'p99', label: 'p99' }),
      ]),
    );
    this.dashboard.addWidgets(
      graph(
        'Function invocations',
        perFunction((fn) => fn.metricInvocations()),
      ),
      graph(
        'Function errors',
        perFunction((fn) => fn.metricErrors()),
      ),
    );
    this.dashboard.addWidgets(
      graph(
        'Function duration p99 (ms)',
        perFunction((fn) => fn.metricDuration({ statistic: 'p99' })),
      ),
      graph(
        'Function throttles',
        perFunction((fn) => fn.metricThrottles()),
      ),
    );
    this.dashboard.addWidgets(
      graph('Table consumed capacity', [
        props.table.metricConsumedReadCapacityUnits({ period: PERIOD, label: 'Read units' }),
        props.table.metricConsumedWriteCapacityUnits({ period: PERIOD, label: 'Write units' }),
      ]),
      graph('Table throttles and system errors', [tableThrottles, tableSystemErrors]),
    );
    this.dashboard.addWidgets(
      graph('Journey executions', [
        stateMachines('ExecutionsStarted', 'Started'),
        stateMachines('ExecutionsSucceeded', 'Succeeded'),
        stateMachines('ExecutionsFailed', 'Failed'),
        stateMachines('ExecutionsTimedOut', 'Timed out'),
        stateMachines('ExecutionsAborted', 'Aborted'),
      ]),
      graph('Dead-letter queue depth', [
        ...props.deadLetters.map(({ consumer, queue }) =>
          queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum', label: consumer }),
        ),
      ]),
    );
    this.dashboard.addWidgets(
      graph('Email (account)', [
        ses('Send', 'Sum', 'Sends'),
        ses('Delivery', 'Sum', 'Deliveries'),
        ses('Bounce', 'Sum', 'Bounces'),
        ses('Complaint', 'Sum', 'Complaints'),
      ]),
      graph('Email reputation (account)', [bounceRate, complaintRate]),
    );
  }

  /** The CloudWatch console URL of the dashboard. */
  get dashboardUrl(): string {
    return `https://console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards:name=${this.dashboard.dashboardName}`;
  }
}

/**
 * SEARCH terms that match ARNs containing the prefix. SEARCH splits dimension values into
 * alphanumeric tokens and a quoted term must match a whole value, so each token of the prefix
 * becomes its own partial-match term on `StateMachineArn`.
 */
function prefixTerms(prefix: string): string {
  return prefix
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((token) => `StateMachineArn=${token}`)
    .join(' ');
}

import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { streams } from '../manifest.ts';
import { SES_BOUNCE_RATE_ALARM, SES_COMPLAINT_RATE_ALARM } from './operations.construct.ts';
import { settingsFromContext } from './settings.ts';
import { build, functionCount, functionLogicalId, functionNames, synthesize } from './tend-stack.test-support.ts';

let template: Template;
beforeAll(() => {
  ({ template } = synthesize());
}, 60_000);

describe('operations', () => {
  type AlarmProps = { MetricName?: string; Namespace?: string; Dimensions?: unknown; AlarmActions?: unknown };
  const alarms = () =>
    Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties as AlarmProps);
  const topicId = () => {
    const ids = Object.keys(template.findResources('AWS::SNS::Topic'));
    expect(ids).toHaveLength(1);
    return ids[0] as string;
  };

  it('alarms on a message in the dead-letter queue of each stream consumer', () => {
    const dlqAlarms = alarms().filter((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible');
    expect(dlqAlarms).toHaveLength(streams.length);
    const queues = dlqAlarms.map((a) => JSON.stringify(a.Dimensions));
    expect(new Set(queues).size).toBe(streams.length);
    for (const alarm of dlqAlarms)
      expect(alarm).toMatchObject({ Namespace: 'AWS/SQS', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
  });

  it('alarms on errors and throttles of every function', () => {
    for (const name of functionNames) {
      for (const metric of ['Errors', 'Throttles']) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/Lambda',
          MetricName: metric,
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionLogicalId(template, name) } }],
          Threshold: 0,
          ComparisonOperator: 'GreaterThanThreshold',
        });
      }
    }
    expect(alarms().filter((a) => a.Namespace === 'AWS/Lambda')).toHaveLength(2 * functionCount);
  });

  it('alarms on table throttles and system errors', () => {
    for (const metric of ['ReadThrottleEvents', 'WriteThrottleEvents', 'SystemErrors'])
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Metrics: Match.arrayWith([
          Match.objectLike({ MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: metric }) }) }),
        ]),
      });
  });

  it('alarms on failed and timed-out executions with a Metrics Insights query, never SEARCH', () => {
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut'])
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Metrics: [
          Match.objectLike({
            Expression: `SELECT SUM(${metric}) FROM SCHEMA("AWS/States", StateMachineArn)`,
            Period: 300,
          }),
        ],
        Threshold: 0,
      });
    expect(JSON.stringify(alarms())).not.toContain('SEARCH(');
  });

  it('alarms on the SES reputation rates at the levels where SES reviews the account', () => {
    expect([SES_BOUNCE_RATE_ALARM, SES_COMPLAINT_RATE_ALARM]).toEqual([0.05, 0.001]);
    for (const [metric, threshold] of [
      ['Reputation.BounceRate', 0.05],
      ['Reputation.ComplaintRate', 0.001],
    ] as const)
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Metrics: [
          Match.objectLike({
            MetricStat: Match.objectLike({ Metric: { Namespace: 'AWS/SES', MetricName: metric } }),
          }),
        ],
        Threshold: threshold,
        ComparisonOperator: 'GreaterThanThreshold',
      });
  });

  it('sends every alarm to the alarm topic', () => {
    const all = alarms();
    expect(all.length).toBeGreaterThan(2 * functionCount);
    for (const alarm of all) expect(alarm.AlarmActions).toEqual([{ Ref: topicId() }]);
  });

  it('encrypts the topic with a rotating key CloudWatch may use, and refuses plain HTTP', () => {
    const [keyId] = Object.keys(
      template.findResources('AWS::KMS::Key', { Properties: { Description: Match.stringLikeRegexp('alarm') } }),
    );
    expect(keyId).toBeDefined();
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('builds one dashboard that names every function, queue and alarm', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]);
    for (const name of functionNames) {
      expect(body).toContain(`"label\\":\\"${name}\\"`);
      expect(body).toContain(JSON.stringify({ Ref: functionLogicalId(template, name) }));
    }
    for (const title of [
      'API requests',
      'Table consumed capacity',
      'Journey executions',
      'Dead-letter queue depth',
      'Email',
    ])
      expect(body).toContain(title);
  });

  it('outputs the dashboard and the alarm topic', () => {
    template.hasOutput('DashboardName', {});
    template.hasOutput('DashboardUrl', {});
    template.hasOutput('AlarmTopicArn', { Value: { Ref: topicId() } });
  });

  it('emails the tend:alarmEmail address', () => {
    const withEmail = new App({ context: { 'tend:alarmEmail': 'ops@shop.example' } });
    expect(settingsFromContext(withEmail.node).alarmEmail).toBe('ops@shop.example');
    const { stack: emailing } = build({ alarmEmail: 'ops@shop.example' });
    Template.fromStack(emailing).hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@shop.example',
    });
  });
});

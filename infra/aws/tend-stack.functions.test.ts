/** The stack's table and functions, and what invokes them: API routes, stream mappings and schedules. */

import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Grant } from '../function-spec.ts';
import { type FunctionName, functions, journeyFunctionEnv, routes, schedules, streams, table } from '../manifest.ts';
import { DEFAULT_PARALLELIZATION_FACTOR, streamFilters } from '../stream-mapping.ts';
import { Schedules } from './schedules.construct.ts';
import {
  functionCount,
  functionLogicalId,
  functionNames,
  hasGrant,
  settings,
  synthesize,
} from './tend-stack.test-support.ts';

let template: Template;
beforeAll(() => {
  ({ template } = synthesize());
}, 60_000);

describe('data', () => {
  it('keeps one on-demand table with PITR, encryption, a NEW_IMAGE stream and TTL', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: table.partitionKey, KeyType: 'HASH' },
        { AttributeName: table.sortKey, KeyType: 'RANGE' },
      ],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
      TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true },
    });
  });

  it('retains the table when the stack is deleted or the table replaced', () => {
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});

describe('functions', () => {
  it('deploys one arm64 nodejs22.x function per manifest function, with its memory and timeout', () => {
    template.resourceCountIs('AWS::Lambda::Function', functionCount);
    for (const spec of Object.values(functions)) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: spec.description,
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        MemorySize: spec.memoryMb,
        Timeout: spec.timeoutSeconds,
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: Match.anyValue() },
      });
    }
  });

  it('passes the sender settings to every function', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ TEND_DEFAULT_TIME_ZONE: 'Europe/Paris', TEND_REPLY_TO: 'help@mail.example.com' }),
      },
    });
  });

  it('passes the generated table name, API URL and service name to every function', () => {
    for (const spec of Object.values(functions)) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: spec.description,
        Environment: {
          Variables: Match.objectLike({
            [table.nameEnv]: { Ref: Match.stringLikeRegexp('^DataTable') },
            TEND_PUBLIC_URL: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiHttpApi'), 'ApiEndpoint'] },
            TEND_FROM_EMAIL: settings.fromEmail,
            TEND_POSTAL_ADDRESS: settings.postalAddress,
            TEND_INBOX_RETENTION_DAYS: '30',
            TEND_TIMELINE_RETENTION_DAYS: '400',
            POWERTOOLS_SERVICE_NAME: 'tend',
            NODE_OPTIONS: '--enable-source-maps',
          }),
        },
      });
    }
  });

  it('gives journey settings and secret ARNs only to functions granted them', () => {
    for (const name of functionNames) {
      const variables = template.toJSON().Resources[functionLogicalId(template, name)].Properties.Environment
        .Variables as Record<string, unknown>;
      const runsOrPublishes = hasGrant(name, 'journeys:run') || hasGrant(name, 'journeys:publish');
      expect('TEND_JOURNEY_PREFIX' in variables, name).toBe(runsOrPublishes);
      expect('TEND_JOURNEY_ROLE_ARN' in variables, name).toBe(hasGrant(name, 'journeys:publish'));
      expect('TEND_JOURNEY_LOG_GROUP_ARN' in variables, name).toBe(hasGrant(name, 'journeys:publish'));
      for (const env of Object.values(journeyFunctionEnv)) {
        expect(env in variables, `${name} ${env}`).toBe(hasGrant(name, 'journeys:publish'));
      }
      expect('TEND_ADMIN_TOKEN_SECRET_ARN' in variables, name).toBe(hasGrant(name, 'secret:admin-token'));
      expect('TEND_LINK_SECRET_ARN' in variables, name).toBe(hasGrant(name, 'secret:link-signing'));
      expect('TEND_SES_CONFIGURATION_SET' in variables, name).toBe(hasGrant(name, 'ses:send'));
    }
  });

  it('allows ses:SendEmail and secrets only to the functions granted them', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).map((p) => JSON.stringify(p));
    const withAction = (action: string) => policies.filter((p) => p.includes(`"${action}"`)).length;
    const granted = (grant: Grant) => functionNames.filter((name) => hasGrant(name, grant)).length;
    expect(withAction('ses:SendEmail')).toBe(granted('ses:send'));
    expect(withAction('secretsmanager:GetSecretValue')).toBe(
      Object.values(functions).filter((f) => f.grants.some((g) => g.startsWith('secret:'))).length,
    );
  });

  it('uses no AWS managed policies on function roles', () => {
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe('api', () => {
  it('routes every manifest route to its function', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Route', routes.length);
    for (const route of routes) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: `${route.method} ${route.path}` });
    }
    template.resourceCountIs('AWS::ApiGatewayV2::Integration', new Set(routes.map((r) => r.function)).size);
  });

  it('logs access and throttles on the default stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('\\$context\\.requestId') },
      DefaultRouteSettings: { ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() },
    });
  });
});

describe('streams', () => {
  it('feeds only the listed writes of the listed item types to the consumer, with retries, bisection and a DLQ', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', streams.length);
    for (const spec of streams) {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: functionLogicalId(template, spec.function) },
        EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DataTable'), 'StreamArn'] },
        BatchSize: spec.batchSize,
        // Batches of other contacts side by side, as the local stream driver runs them.
        ParallelizationFactor: spec.parallelizationFactor ?? DEFAULT_PARALLELIZATION_FACTOR,
        MaximumRetryAttempts: spec.maxAttempts - 1,
        MaximumBatchingWindowInSeconds: spec.batchingWindowSeconds ?? Match.absent(),
        BisectBatchOnFunctionError: true,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        DestinationConfig: {
          OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeadLetterQueue'), 'Arn'] } },
        },
        FilterCriteria: {
          Filters: streamFilters(spec).map((filter) => ({
            Pattern: JSON.stringify({
              eventName: [...filter.eventName],
              dynamodb: {
                NewImage: {
                  type: { S: [...filter.types] },
                  ...(filter.names ? { name: { S: [...filter.names] } } : {}),
                },
              },
            }),
          })),
        },
      });
    }
  });

  it('feeds new and changed contacts with their events to refresh-contact, in one-second batches', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functionLogicalId(template, 'refresh-contact') },
      MaximumBatchingWindowInSeconds: 1,
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              eventName: ['INSERT', 'MODIFY'],
              dynamodb: { NewImage: { type: { S: ['event', 'contact'] } } },
            }),
          },
        ],
      },
    });
  });

  it('encrypts the dead-letter queue and refuses plain HTTP to it', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});

describe('schedules', () => {
  it('invokes the scheduled function on a rate or cron expression', () => {
    const probeStack = new Stack(new App(), 'Probe');
    const health = new LambdaFunction(probeStack, 'Health', {
      runtime: Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: Code.fromInline('export const handler = async () => {};'),
    });
    new Schedules(probeStack, 'Schedules', {
      specs: [
        { function: 'health', rate: '5 minutes' },
        { function: 'health', rate: 'cron(0 9 * * ? *)' },
      ],
      functions: { health } as unknown as Record<FunctionName, LambdaFunction>,
    });
    const probe = Template.fromStack(probeStack);
    for (const expression of ['rate(5 minutes)', 'cron(0 9 * * ? *)']) {
      probe.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: expression,
        Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Health'), 'Arn'] } })],
      });
    }
  });

  it('runs the journey scheduler every minute', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [functionLogicalId(template, 'journey-scheduler'), 'Arn'] } })],
    });
  });

  it('deploys a rule per manifest schedule (plus the one for SES events)', () => {
    template.resourceCountIs('AWS::Events::Rule', schedules.length + 1);
  });
});

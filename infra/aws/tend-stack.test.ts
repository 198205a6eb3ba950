import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as manifest from '../manifest.ts';
import { journeyPrefix } from './journeys.construct.ts';
import { addNagChecks } from './nag.ts';
import { SES_BOUNCE_RATE_ALARM, SES_COMPLAINT_RATE_ALARM } from './operations.construct.ts';
import { Schedules } from './schedules.construct.ts';
import { senderAddress, settingsFromContext } from './settings.ts';
import { TendStack } from './tend-stack.ts';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
/** The feature flags `cdk synth` runs with, so the tests see the same template. */
const cdkContext: Record<string, unknown> = JSON.parse(readFileSync(join(projectRoot, 'cdk.json'), 'utf8')).context;
const settings = { fromEmail: 'Shop <news@mail.shop.test>', postalAddress: '1 Test Road', domain: 'mail.shop.test' };
const functionCount = Object.keys(manifest.functions).length;

/** Builds the stack with the AwsSolutions pack, without bundling the handlers. */
function build(options: { domain?: string; alarmEmail?: string }) {
  const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] } });
  const stack = new TendStack(app, 'Tend', {
    settings: {
      fromEmail: settings.fromEmail,
      postalAddress: settings.postalAddress,
      timeZone: 'Europe/Paris',
      replyTo: 'help@mail.example.com',
      ...(options.domain ? { domain: options.domain } : {}),
      ...(options.alarmEmail ? { alarmEmail: options.alarmEmail } : {}),
    },
    projectRoot,
  });
  addNagChecks(app);
  return { app, stack };
}

/** cdk-nag 3.x findings that survived acknowledgement, from the assembly's validation report. */
function unacknowledgedFindings(app: App): { rule: string; severity: string; paths: string[] }[] {
  const assembly = app.synth();
  const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as {
    pluginReports: {
      violations: { ruleName: string; severity: string; violatingConstructs: { constructPath: string }[] }[];
    }[];
  };
  return report.pluginReports.flatMap((plugin) =>
    plugin.violations.map((v) => ({
      rule: v.ruleName,
      severity: v.severity,
      paths: v.violatingConstructs.map((c) => c.constructPath),
    })),
  );
}

const functionLogicalId = (template: Template, name: manifest.FunctionName): string => {
  const found = template.findResources('AWS::Lambda::Function', {
    Properties: { Description: manifest.functions[name].description },
  });
  const ids = Object.keys(found);
  expect(ids).toHaveLength(1);
  return ids[0] as string;
};

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };

/** Every IAM statement attached to a function's own role. */
const statementsOf = (template: Template, name: manifest.FunctionName): Statement[] => {
  const roleId =
    template.findResources('AWS::Lambda::Function')[functionLogicalId(template, name)]?.Properties.Role[
      'Fn::GetAtt'
    ][0];
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
};

const actionsOf = (statements: Statement[]): string[] =>
  statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

const hasGrant = (name: manifest.FunctionName, grant: manifest.Grant): boolean =>
  (manifest.functions[name].grants as readonly manifest.Grant[]).includes(grant);

const functionNames = Object.keys(manifest.functions) as manifest.FunctionName[];

/** `arn:${Partition}:states:${Region}:${Account}:<rest>` as CloudFormation renders it. */
const statesArn = (rest: string) => ({
  'Fn::Join': [
    '',
    ['arn:', { Ref: 'AWS::Partition' }, ':states:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, rest],
  ],
});

const RUN_ACTIONS = [
  'states:DescribeExecution',
  'states:SendTaskFailure',
  'states:SendTaskHeartbeat',
  'states:SendTaskSuccess',
  'states:StartExecution',
  'states:StopExecution',
];
const PUBLISH_ACTIONS = [
  'states:CreateStateMachine',
  'states:CreateStateMachineAlias',
  'states:DescribeStateMachine',
  'states:DescribeStateMachineAlias',
  'states:ListStateMachines',
  'states:PublishStateMachineVersion',
  'states:TagResource',
  'states:UpdateStateMachine',
  'states:UpdateStateMachineAlias',
];

// No stack here bundles its handlers: these tests read the template, not the code, and bundling
// all of them takes a minute and a half. `npm run synth` (run by CI before the tests) bundles
// every function with cdk-nag, and `npm run bench:functions` measures the bundles.
let app: App;
let stack: TendStack;
let template: Template;
beforeAll(() => {
  ({ app, stack } = build({ domain: settings.domain }));
  template = Template.fromStack(stack);
}, 60_000);

describe('data', () => {
  it('keeps one on-demand table with PITR, encryption, a NEW_IMAGE stream and TTL', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: manifest.table.partitionKey, KeyType: 'HASH' },
        { AttributeName: manifest.table.sortKey, KeyType: 'RANGE' },
      ],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
      TimeToLiveSpecification: { AttributeName: manifest.table.ttlAttribute, Enabled: true },
    });
  });

  it('retains the table when the stack is deleted or the table replaced', () => {
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});

describe('functions', () => {
  it('deploys one arm64 nodejs22.x function per manifest function, with its memory and timeout', () => {
    template.resourceCountIs('AWS::Lambda::Function', functionCount);
    for (const spec of Object.values(manifest.functions)) {
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
    for (const spec of Object.values(manifest.functions)) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: spec.description,
        Environment: {
          Variables: Match.objectLike({
            [manifest.table.nameEnv]: { Ref: Match.stringLikeRegexp('^DataTable') },
            TEND_PUBLIC_URL: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiHttpApi'), 'ApiEndpoint'] },
            TEND_FROM_EMAIL: settings.fromEmail,
            TEND_POSTAL_ADDRESS: settings.postalAddress,
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
      for (const env of Object.values(manifest.journeyFunctionEnv)) {
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
    const granted = (grant: manifest.Grant) => functionNames.filter((name) => hasGrant(name, grant)).length;
    expect(withAction('ses:SendEmail')).toBe(granted('ses:send'));
    expect(withAction('secretsmanager:GetSecretValue')).toBe(
      Object.values(manifest.functions).filter((f) => f.grants.some((g) => g.startsWith('secret:'))).length,
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
    template.resourceCountIs('AWS::ApiGatewayV2::Route', manifest.routes.length);
    for (const route of manifest.routes) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: `${route.method} ${route.path}` });
    }
    template.resourceCountIs('AWS::ApiGatewayV2::Integration', new Set(manifest.routes.map((r) => r.function)).size);
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
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', manifest.streams.length);
    for (const spec of manifest.streams) {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: functionLogicalId(template, spec.function) },
        EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DataTable'), 'StreamArn'] },
        BatchSize: spec.batchSize,
        // Batches of other contacts side by side, as the local stream driver runs them.
        ParallelizationFactor: spec.parallelizationFactor ?? manifest.DEFAULT_PARALLELIZATION_FACTOR,
        MaximumRetryAttempts: spec.maxAttempts - 1,
        MaximumBatchingWindowInSeconds: spec.batchingWindowSeconds ?? Match.absent(),
        BisectBatchOnFunctionError: true,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        DestinationConfig: {
          OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeadLetterQueue'), 'Arn'] } },
        },
        FilterCriteria: {
          Filters: manifest.streamFilters(spec).map((filter) => ({
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

describe('journeys', () => {
  const journeyRoleId = (): string => {
    const roles = template.findResources('AWS::IAM::Role', {
      Properties: {
        AssumeRolePolicyDocument: {
          Statement: [Match.objectLike({ Principal: { Service: 'states.amazonaws.com' } })],
        },
      },
    });
    const ids = Object.keys(roles);
    expect(ids).toHaveLength(1);
    return ids[0] as string;
  };
  const prefix = journeyPrefix('Tend');

  it('deploys no state machine: journeys are data, published at run time', () => {
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 0);
  });

  it('lets only journey state machines of this account assume the journey role', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'states.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: { 'aws:SourceArn': statesArn(`:stateMachine:${prefix}-*`) },
            },
          },
        ],
      },
    });
  });

  it('lets the journey role invoke only the journey functions and their versions', () => {
    const roleId = journeyRoleId();
    const invokers = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p).includes('"lambda:InvokeFunction"'),
    );
    expect(invokers).toHaveLength(1);
    expect(invokers[0]?.Properties.Roles).toEqual([{ Ref: roleId }]);
    const arns = Object.values(manifest.journeyFunctions).map((name) => ({
      'Fn::GetAtt': [functionLogicalId(template, name), 'Arn'],
    }));
    const statements = invokers[0]?.Properties.PolicyDocument.Statement as Statement[];
    const invoke = statements.filter((s) => actionsOf([s]).includes('lambda:InvokeFunction'));
    expect(invoke).toHaveLength(1);
    expect(invoke[0]?.Action).toBe('lambda:InvokeFunction');
    const expected = [...arns, ...arns.map((arn) => ({ 'Fn::Join': ['', [arn, ':*']] }))];
    expect(invoke[0]?.Resource).toHaveLength(expected.length);
    expect(invoke[0]?.Resource).toEqual(expect.arrayContaining(expected));
  });

  it('lets the journey role deliver execution logs and traces, and do nothing else on *', () => {
    const roleId = journeyRoleId();
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
    const unscoped = statements.filter((s) => s.Resource === '*');
    expect(actionsOf(unscoped).sort()).toEqual([
      'logs:CreateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:DescribeLogGroups',
      'logs:DescribeResourcePolicies',
      'logs:GetLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:UpdateLogDelivery',
      'xray:GetSamplingRules',
      'xray:GetSamplingTargets',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    expect(actionsOf(statements).sort()).toEqual([...actionsOf(unscoped), 'lambda:InvokeFunction'].sort());
  });

  it('gives journeys:run functions exactly the run actions, on journey state machines and executions', () => {
    for (const name of functionNames.filter((n) => hasGrant(n, 'journeys:run'))) {
      const statements = statementsOf(template, name);
      expect(
        actionsOf(statements)
          .filter((a) => a.startsWith('states:'))
          .sort(),
        name,
      ).toEqual(RUN_ACTIONS);
      expect(statements).toContainEqual(
        expect.objectContaining({
          Action: 'states:StartExecution',
          Resource: [statesArn(`:stateMachine:${prefix}-*`), statesArn(`:stateMachine:${prefix}-*:*`)],
        }),
      );
      expect(statements).toContainEqual(
        expect.objectContaining({
          Action: ['states:DescribeExecution', 'states:StopExecution'],
          Resource: statesArn(`:execution:${prefix}-*:*`),
        }),
      );
    }
  });

  it('lets journeys:read functions read journey executions and their history, nothing more', () => {
    const readers = functionNames.filter((n) => hasGrant(n, 'journeys:read'));
    expect(readers).toContain('dashboard');
    for (const name of readers) {
      const statements = statementsOf(template, name).filter((s) =>
        actionsOf([s]).some((a) => a.startsWith('states:')),
      );
      expect(statements, name).toEqual([
        expect.objectContaining({
          Action: ['states:DescribeExecution', 'states:GetExecutionHistory'],
          Resource: statesArn(`:execution:${prefix}-*:*`),
        }),
      ]);
    }
  });

  it('gives journeys:publish functions exactly the publish actions, on journey state machines only', () => {
    const publishers = functionNames.filter((n) => hasGrant(n, 'journeys:publish'));
    expect(publishers).toContain('journeys-api');
    for (const name of publishers) {
      const statements = statementsOf(template, name);
      expect(
        actionsOf(statements)
          .filter((a) => a.startsWith('states:'))
          .sort(),
        name,
      ).toEqual(PUBLISH_ACTIONS);
      expect(actionsOf(statements), name).toEqual(
        expect.arrayContaining(['logs:CreateLogDelivery', 'logs:PutResourcePolicy', 'iam:PassRole']),
      );
      for (const statement of statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('states:')))) {
        if (actionsOf([statement]).includes('states:ListStateMachines')) {
          expect(statement.Resource, 'ListStateMachines supports no resource').toBe('*');
        } else {
          expect(statement.Resource).toEqual([
            statesArn(`:stateMachine:${prefix}-*`),
            statesArn(`:stateMachine:${prefix}-*:*`),
          ]);
        }
      }
    }
  });

  it('gives functions without a journey grant no states: action', () => {
    const without = functionNames.filter(
      (n) => !hasGrant(n, 'journeys:run') && !hasGrant(n, 'journeys:publish') && !hasGrant(n, 'journeys:read'),
    );
    expect(without).toContain('aggregate-events');
    for (const name of without) {
      expect(
        actionsOf(statementsOf(template, name)).filter((a) => a.startsWith('states:')),
        name,
      ).toEqual([]);
    }
  });

  it('allows iam:PassRole only on the journey role, only to Step Functions, only to publishers', () => {
    const passRole = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[])
      .filter((s) => actionsOf([s]).some((a) => a.startsWith('iam:')));
    expect(passRole).toHaveLength(functionNames.filter((n) => hasGrant(n, 'journeys:publish')).length);
    for (const statement of passRole) {
      expect(statement).toMatchObject({
        Action: 'iam:PassRole',
        Resource: { 'Fn::GetAtt': [journeyRoleId(), 'Arn'] },
        Condition: { StringEquals: { 'iam:PassedToService': 'states.amazonaws.com' } },
      });
    }
  });

  it('tells publishers the prefix, the journey role, the log group and each journey function ARN', () => {
    const logGroupId = Object.keys(template.findResources('AWS::Logs::LogGroup')).find((id) =>
      id.startsWith('JourneysExecutionLogs'),
    );
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: manifest.functions['journeys-api'].description,
      Environment: {
        Variables: Match.objectLike({
          TEND_JOURNEY_PREFIX: prefix,
          TEND_JOURNEY_ROLE_ARN: { 'Fn::GetAtt': [journeyRoleId(), 'Arn'] },
          TEND_JOURNEY_LOG_GROUP_ARN: { 'Fn::GetAtt': [logGroupId, 'Arn'] },
          ...Object.fromEntries(
            Object.entries(manifest.journeyFunctions).map(([target, name]) => [
              manifest.journeyFunctionEnv[target as keyof typeof manifest.journeyFunctionEnv],
              { 'Fn::GetAtt': [functionLogicalId(template, name), 'Arn'] },
            ]),
          ),
        }),
      },
    });
  });

  it('keeps journey execution logs for three months and outputs the role and log group', () => {
    const [logGroup] = Object.entries(template.findResources('AWS::Logs::LogGroup')).filter(([id]) =>
      id.startsWith('JourneysExecutionLogs'),
    );
    expect(logGroup?.[1].Properties.RetentionInDays).toBe(90);
    template.hasOutput('JourneyRoleArn', { Value: { 'Fn::GetAtt': [journeyRoleId(), 'Arn'] } });
    template.hasOutput('JourneyLogGroupName', { Value: { Ref: logGroup?.[0] } });
  });

  it('derives a valid prefix from the stack name, distinct for long names sharing a head', () => {
    const valid = /^[A-Za-z0-9-_]{1,16}$/;
    expect(journeyPrefix('Tend')).toBe('Tend');
    expect(journeyPrefix('Tend.Prod EU')).toBe('TendProdEU');
    const a = journeyPrefix('Tend-Production-EuWest1');
    const b = journeyPrefix('Tend-Production-EuWest2');
    for (const p of [a, b, journeyPrefix('...'), journeyPrefix('x'.repeat(200))]) expect(p).toMatch(valid);
    expect(a).not.toBe(b);
  });
});

describe('email and secrets', () => {
  it('creates an SES configuration set and, for the given domain, a DKIM identity', () => {
    template.resourceCountIs('AWS::SES::ConfigurationSet', 1);
    template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: settings.domain,
      ConfigurationSetAttributes: { ConfigurationSetName: Match.anyValue() },
    });
    template.hasOutput('SesConfigurationSetName', {});
    template.hasOutput('SesEmailIdentity', {});
  });

  it('publishes SES events to EventBridge and routes them to the function that records them', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({
        Enabled: true,
        MatchingEventTypes: Match.arrayWith(['send', 'delivery', 'bounce', 'complaint', 'open', 'click']),
        EventBridgeDestination: Match.anyValue(),
      }),
    });
    const rules = template.findResources('AWS::Events::Rule', {
      Properties: { EventPattern: Match.objectLike({ source: ['aws.ses'] }) },
    });
    const [rule] = Object.values(rules) as { Properties: { Targets: { Arn: unknown }[] } }[];
    expect(rule?.Properties.Targets).toHaveLength(1);
    expect(JSON.stringify(rule?.Properties.Targets[0]?.Arn)).toContain(
      functionLogicalId(template, 'record-email-event'),
    );
  });

  it('generates both secrets inside Secrets Manager, never in the template', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 2);
    for (const secret of Object.values(template.findResources('AWS::SecretsManager::Secret'))) {
      expect(secret.Properties.GenerateSecretString).toBeDefined();
      expect(secret.Properties.SecretString).toBeUndefined();
    }
  });
});

describe('sealed webhook secrets', () => {
  const kmsActions = (name: manifest.FunctionName): string[] =>
    actionsOf(statementsOf(template, name))
      .filter((a) => a.startsWith('kms:'))
      .sort();

  it('creates a rotating KMS key and grants exactly Encrypt/Decrypt or Decrypt by manifest grant', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    expect(kmsActions('sources-api')).toEqual(['kms:Decrypt', 'kms:Encrypt']);
    expect(kmsActions('ingest-webhook')).toEqual(['kms:Decrypt']);
    expect(kmsActions('get-contact')).toEqual([]);
  });
});

describe('naming', () => {
  it('hard-codes no physical resource names', () => {
    const nameProperties: Record<string, string> = {
      'AWS::DynamoDB::Table': 'TableName',
      'AWS::Lambda::Function': 'FunctionName',
      'AWS::IAM::Role': 'RoleName',
      'AWS::SQS::Queue': 'QueueName',
      'AWS::StepFunctions::StateMachine': 'StateMachineName',
      'AWS::Logs::LogGroup': 'LogGroupName',
      'AWS::SecretsManager::Secret': 'Name',
      'AWS::SES::ConfigurationSet': 'Name',
    };
    for (const [type, property] of Object.entries(nameProperties)) {
      for (const resource of Object.values(template.findResources(type))) {
        expect(resource.Properties?.[property], `${type}.${property}`).toBeUndefined();
      }
    }
  });
});

describe('cdk-nag', () => {
  it('leaves no unacknowledged AwsSolutions error or warning', () => {
    expect(unacknowledgedFindings(app)).toEqual([]);
    expect(Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions'))).toEqual([]);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions'))).toEqual([]);
  });

  it('does report a finding nobody acknowledged', () => {
    const probe = new App({ context: cdkContext });
    const probeStack = new Stack(probe, 'Probe');
    new Queue(probeStack, 'PlainQueue');
    addNagChecks(probe);
    expect(() => probe.synth()).toThrow(/AwsSolutions-SQS/);
  });
});

describe('without a sending domain', () => {
  it('creates no SES identity and scopes sending to the from address and its domain', () => {
    const { stack: plain } = build({});
    const plainTemplate = Template.fromStack(plain);
    plainTemplate.resourceCountIs('AWS::SES::EmailIdentity', 0);
    const address = senderAddress(settings.fromEmail);
    const sendPolicy = Object.values(plainTemplate.findResources('AWS::IAM::Policy'))
      .map((p) => JSON.stringify(p))
      .find((p) => p.includes('"ses:SendEmail"'));
    expect(sendPolicy).toContain(`:identity/${address}`);
    expect(sendPolicy).toContain(`:identity/${address.split('@')[1]}`);
    expect(sendPolicy).toContain(':configuration-set/');
  });
});

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
    expect(dlqAlarms).toHaveLength(manifest.streams.length);
    const queues = dlqAlarms.map((a) => JSON.stringify(a.Dimensions));
    expect(new Set(queues).size).toBe(manifest.streams.length);
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
      functions: { health } as unknown as Record<manifest.FunctionName, LambdaFunction>,
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
    template.resourceCountIs('AWS::Events::Rule', manifest.schedules.length + 1);
  });
});

describe('settings', () => {
  it('reads tend:* context and falls back to the documented defaults', () => {
    const withContext = new App({ context: { 'tend:fromEmail': 'A <a@b.example>', 'tend:domain': 'b.example' } });
    expect(settingsFromContext(withContext.node)).toMatchObject({ fromEmail: 'A <a@b.example>', domain: 'b.example' });
    const bare = settingsFromContext(new App().node);
    expect(bare.domain).toBeUndefined();
    expect(bare.fromEmail).toMatch(/@/);
  });

  it('rejects a sender that is not an email address', () => {
    expect(() => senderAddress('Tend <not-an-address>')).toThrow(/not an email address/);
    expect(senderAddress('Tend <Hello@Shop.Example>')).toBe('hello@shop.example');
  });
});

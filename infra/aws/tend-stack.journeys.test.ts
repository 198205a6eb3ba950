import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { functions, journeyFunctionEnv, journeyFunctions } from '../manifest.ts';
import { journeyPrefix } from './journeys.construct.ts';
import {
  actionsOf,
  functionLogicalId,
  functionNames,
  hasGrant,
  type Statement,
  statementsOf,
  synthesize,
} from './tend-stack.test-support.ts';

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

let template: Template;
beforeAll(() => {
  ({ template } = synthesize());
}, 60_000);

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
    const arns = Object.values(journeyFunctions).map((name) => ({
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
      Description: functions['journeys-api'].description,
      Environment: {
        Variables: Match.objectLike({
          TEND_JOURNEY_PREFIX: prefix,
          TEND_JOURNEY_ROLE_ARN: { 'Fn::GetAtt': [journeyRoleId(), 'Arn'] },
          TEND_JOURNEY_LOG_GROUP_ARN: { 'Fn::GetAtt': [logGroupId, 'Arn'] },
          ...Object.fromEntries(
            Object.entries(journeyFunctions).map(([target, name]) => [
              journeyFunctionEnv[target as keyof typeof journeyFunctionEnv],
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

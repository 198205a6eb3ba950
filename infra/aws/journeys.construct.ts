import { createHash } from 'node:crypto';
import { Aws, Stack, Token } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { journeyFunctions } from '../manifest.ts';
import { acknowledge, arnRef } from './nag.ts';

/** A role a function plays in compiled ASL (`sendEmail`, `endEnrollment`, `journeyStep`). */
export type JourneyTarget = keyof typeof journeyFunctions;

export interface JourneysProps {
  /** The functions compiled journeys call, by their role in the ASL (`manifest.journeyFunctions`). */
  targets: Readonly<Record<JourneyTarget, LambdaFunction>>;
  /** The environment variable that carries each target's ARN to publishers (`manifest.journeyFunctionEnv`). */
  targetEnv: Readonly<Record<JourneyTarget, string>>;
  /** State machine name prefix; by default derived from the stack name (see `journeyPrefix`). */
  prefix?: string;
  /** How long execution logs are kept; three months by default. */
  logRetention?: RetentionDays;
}

/** The prefix shared/platform/config.ts accepts for TEND_JOURNEY_PREFIX. */
const PREFIX_PATTERN = /^[A-Za-z0-9-_]{1,16}$/;
const PREFIX_MAX = 16;

/**
 * The journey state machine prefix for a stack: its name with anything outside `[A-Za-z0-9-_]`
 * dropped, at most 16 characters. A longer name keeps its head plus a short hash of the whole, so
 * two long stack names that share their first 16 characters still get different prefixes.
 */
export function journeyPrefix(stackName: string): string {
  const clean = stackName.replace(/[^A-Za-z0-9-_]/g, '');
  if (clean.length === 0) return 'tend';
  if (clean.length <= PREFIX_MAX) return clean;
  const hash = createHash('sha256').update(stackName).digest('hex').slice(0, 4);
  return `${clean.slice(0, PREFIX_MAX - hash.length - 1)}-${hash}`;
}

/**
 * What journeys need on AWS now that they are data published at run time (the journeys API
 * calls CreateStateMachine/UpdateStateMachine with `publish`, then moves the `live` alias): one
 * execution role every journey state machine runs as, one log group for their executions, and
 * grants that confine callers to state machines named `<prefix>-<journeyId>`.
 */
export class Journeys extends Construct {
  /** Role every journey state machine runs as; it may invoke the journey functions and nothing else. */
  readonly role: Role;
  /** Execution logs (level ALL, with execution data) of every journey. */
  readonly logGroup: LogGroup;
  /** State machines are named `<prefix>-<journeyId>`. */
  readonly prefix: string;
  /** `arn:…:stateMachine:<prefix>-*`: every journey state machine. */
  readonly stateMachinePattern: string;
  /** `arn:…:stateMachine:<prefix>-*:*`: their versions and aliases. */
  readonly qualifiedStateMachinePattern: string;
  /** `arn:…:execution:<prefix>-*:*`: their executions. */
  readonly executionPattern: string;
  private readonly targets: Readonly<Record<JourneyTarget, LambdaFunction>>;
  private readonly targetEnv: Readonly<Record<JourneyTarget, string>>;

  constructor(scope: Construct, id: string, props: JourneysProps) {
    super(scope, id);
    const stackName = Stack.of(this).stackName;
    if (!props.prefix && Token.isUnresolved(stackName))
      throw new Error('journeys need a concrete stack name or a prefix');
    this.prefix = props.prefix ?? journeyPrefix(stackName);
    if (!PREFIX_PATTERN.test(this.prefix))
      throw new Error(`journey prefix ${this.prefix} must match ${PREFIX_PATTERN}`);
    this.targets = props.targets;
    this.targetEnv = props.targetEnv;

    // Pseudo parameters, not the stack's env, so the ARNs (and the cdk-nag findings naming them)
    // read the same whether or not the CLI knew the account and region at synth.
    const states = `arn:${Aws.PARTITION}:states:${Aws.REGION}:${Aws.ACCOUNT_ID}`;
    this.stateMachinePattern = `${states}:stateMachine:${this.prefix}-*`;
    this.qualifiedStateMachinePattern = `${this.stateMachinePattern}:*`;
    this.executionPattern = `${states}:execution:${this.prefix}-*:*`;

    this.logGroup = new LogGroup(this, 'ExecutionLogs', {
      retention: props.logRetention ?? RetentionDays.THREE_MONTHS,
    });

    this.role = new Role(this, 'ExecutionRole', {
      description: `Tend journeys (${this.prefix}-*): invokes the journey functions`,
      // Confused-deputy guard: only this account's journey state machines may assume it.
      assumedBy: new ServicePrincipal('states.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: { 'aws:SourceArn': this.stateMachinePattern },
        },
      }),
    });
    const targets = Object.values(props.targets);
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'InvokeJourneyFunctions',
        actions: ['lambda:InvokeFunction'],
        resources: targets.flatMap((fn) => [fn.functionArn, `${fn.functionArn}:*`]),
      }),
    );
    // Step Functions developer guide, "IAM policies for logging to CloudWatch Logs" and "IAM
    // policies for using AWS X-Ray": both grant these on `*`, where log delivery is account-wide.
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'DeliverExecutionLogs',
        actions: [
          'logs:CreateLogDelivery',
          'logs:GetLogDelivery',
          'logs:UpdateLogDelivery',
          'logs:DeleteLogDelivery',
          'logs:ListLogDeliveries',
          'logs:PutResourcePolicy',
          'logs:DescribeResourcePolicies',
          'logs:DescribeLogGroups',
        ],
        resources: ['*'],
      }),
    );
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'TraceExecutions',
        actions: [
          'xray:PutTraceSegments',
          'xray:PutTelemetryRecords',
          'xray:GetSamplingRules',
          'xray:GetSamplingTargets',
        ],
        resources: ['*'],
      }),
    );
    for (const fn of targets) {
      acknowledge(
        this.role,
        `AwsSolutions-IAM5[Resource::${arnRef(fn)}:*]`,
        'Invoke on the qualified ARNs (versions/aliases) of a journey function, the only functions journeys call',
      );
    }
    acknowledge(
      this.role,
      'AwsSolutions-IAM5[Resource::*]',
      'CloudWatch Logs delivery and X-Ray actions that Step Functions logging/tracing need support no resource-level permissions',
    );
  }

  /**
   * `journeys:run`: start executions of journey state machines (on a version or alias), stop and
   * describe them, and answer their task tokens.
   */
  grantRun(fn: LambdaFunction): void {
    fn.addToRolePolicy(
      new PolicyStatement({
        sid: 'StartJourneyExecutions',
        actions: ['states:StartExecution'],
        resources: [this.stateMachinePattern, this.qualifiedStateMachinePattern],
      }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        sid: 'ManageJourneyExecutions',
        actions: ['states:StopExecution', 'states:DescribeExecution'],
        resources: [this.executionPattern],
      }),
    );
    // The Service Authorization Reference lists no resource type for the task-token actions.
    fn.addToRolePolicy(
      new PolicyStatement({
        sid: 'AnswerJourneyTasks',
        actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
        resources: ['*'],
      }),
    );
    fn.addEnvironment('TEND_JOURNEY_PREFIX', this.prefix);
    this.acknowledgePatterns(fn, [
      [
        this.stateMachinePattern,
        'Journey state machines are created at run time, so they are matched by their name prefix',
      ],
      [
        this.qualifiedStateMachinePattern,
        'Enrollments start on a published version or the live alias of a journey state machine',
      ],
      [this.executionPattern, 'Executions of journey state machines, named per enrollment at run time'],
    ]);
  }

  /** Reading executions and their history (the dashboard's journey paths). */
  grantRead(fn: LambdaFunction): void {
    fn.addToRolePolicy(
      new PolicyStatement({
        sid: 'ReadJourneyExecutions',
        actions: ['states:DescribeExecution', 'states:GetExecutionHistory'],
        resources: [this.executionPattern],
      }),
    );
    this.acknowledgePatterns(fn, [
      [this.executionPattern, 'Executions of journey state machines, named per enrollment at run time'],
    ]);
  }

  /**
   * `journeys:publish`: create and update journey state machines, publish versions, move the
   * `live` alias, tag them, pass the execution role, and set up their log delivery. The function
   * also learns everything CreateStateMachine needs: prefix, role, log group and target ARNs.
   */
  grantPublish(fn: LambdaFunction): void {
    fn.addToRolePolicy(
      new PolicyStatement({
        sid: 'PublishJourneys',
        actions: [
          'states:CreateStateMachine',
          'states:UpdateStateMachine',
          // CreateStateMachine/UpdateStateMachine with `publish` also need this (Step Functions
          // developer guide, "Authorization for versions and aliases").
          'states:PublishStateMachineVersion',
          'states:DescribeStateMachine',
          'states:TagResource',
          'states:CreateStateMachineAlias',
          'states:UpdateStateMachineAlias',
          'states:DescribeStateMachineAlias',
        ],
        resources: [this.stateMachinePattern, this.qualifiedStateMachinePattern],
      }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({ sid: 'FindJourneys', actions: ['states:ListStateMachines'], resources: ['*'] }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        sid: 'PassJourneyRole',
        actions: ['iam:PassRole'],
        resources: [this.role.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'states.amazonaws.com' } },
      }),
    );
    // CloudWatch Logs user guide, "Logs sent to CloudWatch Logs" (Step Functions logs are listed
    // there): whoever sets up the delivery needs these four; the last three on `log-group:*`.
    fn.addToRolePolicy(
      new PolicyStatement({ sid: 'CreateJourneyLogDelivery', actions: ['logs:CreateLogDelivery'], resources: ['*'] }),
    );
    const logGroups = `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*`;
    fn.addToRolePolicy(
      new PolicyStatement({
        sid: 'AuthoriseJourneyLogDelivery',
        actions: ['logs:PutResourcePolicy', 'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups'],
        resources: [logGroups],
      }),
    );

    fn.addEnvironment('TEND_JOURNEY_PREFIX', this.prefix);
    fn.addEnvironment('TEND_JOURNEY_ROLE_ARN', this.role.roleArn);
    // `arn:…:log-group:<name>:*`, the form Step Functions' loggingConfiguration expects.
    fn.addEnvironment('TEND_JOURNEY_LOG_GROUP_ARN', this.logGroup.logGroupArn);
    for (const target of Object.keys(this.targets) as JourneyTarget[]) {
      fn.addEnvironment(this.targetEnv[target], this.targets[target].functionArn);
    }
    this.acknowledgePatterns(fn, [
      [
        this.stateMachinePattern,
        'Journey state machines are created at run time, so they are matched by their name prefix',
      ],
      [
        this.qualifiedStateMachinePattern,
        'Versions and the live alias of journey state machines, published at run time',
      ],
      [logGroups, 'CloudWatch Logs docs: log delivery setup needs these on log-group:*, not on a single log group'],
    ]);
  }

  /** Each wildcard ARN a grant uses is acknowledged on the function's role, one finding at a time. */
  private acknowledgePatterns(fn: LambdaFunction, patterns: readonly (readonly [string, string])[]): void {
    const role = fn.role;
    if (!role) throw new Error(`${fn.node.path} has no role`);
    for (const [pattern, reason] of patterns) {
      acknowledge(role, `AwsSolutions-IAM5[Resource::${nagArn(Stack.of(this).resolve(pattern))}]`, reason);
    }
  }
}

/** How cdk-nag prints a resolved ARN in a finding id: pseudo parameters as `<AWS::Region>`. */
function nagArn(resolved: unknown): string {
  if (typeof resolved === 'string') return resolved;
  const join = (resolved as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (!join) throw new Error(`cannot name ${JSON.stringify(resolved)} for cdk-nag`);
  return join[1]
    .map((part) => {
      if (typeof part === 'string') return part;
      const ref = (part as { Ref?: string }).Ref;
      if (ref) return `<${ref}>`;
      throw new Error(`cannot name ${JSON.stringify(part)} for cdk-nag`);
    })
    .join(join[0]);
}

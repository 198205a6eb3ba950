import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { StateMachineSpec } from '#infra/manifest.ts';
import { type CompileTargets, compileJourney } from '#workflows/compile.ts';
import { validateJourney } from '#workflows/validate.ts';
import type { StartableJourney } from './functions.construct.ts';
import { acknowledge, arnRef } from './nag.ts';
import { pascalCase } from './names.ts';

export interface JourneysProps {
  /** Journeys to deploy as state machines, from `manifest.stateMachines`. */
  specs: Readonly<Record<string, StateMachineSpec>>;
  /** Absolute repository root; journey documents are relative to it. */
  projectRoot: string;
  /** The functions compiled journeys call, by their role in the ASL (`manifest.journeyFunctions`). */
  targets: Readonly<Record<keyof CompileTargets, IFunction>>;
  /** Template ids a send-email node may name; an unknown one fails the synth. */
  knownTemplates: ReadonlySet<string>;
  /** How long execution logs are kept. */
  logRetention?: RetentionDays;
}

export interface DeployedJourney extends StartableJourney {
  /** Key in `manifest.stateMachines`. */
  name: string;
}

/**
 * One Standard state machine per journey, from the same compiled ASL the local stack runs: the
 * compiler emits `${<Role>FunctionArn}` placeholders and CloudFormation substitutes the ARNs, so
 * the runtime compiler never depends on CDK. Logging ALL and X-Ray on every machine.
 */
export class Journeys extends Construct {
  readonly machines: DeployedJourney[] = [];

  constructor(scope: Construct, id: string, props: JourneysProps) {
    super(scope, id);
    const roles = Object.keys(props.targets) as (keyof CompileTargets)[];
    const placeholderKey = (role: keyof CompileTargets) => `${pascalCase(role)}FunctionArn`;
    const placeholders = {} as CompileTargets;
    for (const role of roles) placeholders[role] = `\${${placeholderKey(role)}}`;
    const substitutions = Object.fromEntries(
      roles.map((role) => [placeholderKey(role), props.targets[role].functionArn]),
    );

    for (const [name, spec] of Object.entries(props.specs)) {
      const scope = new Construct(this, pascalCase(name));
      const raw: unknown = JSON.parse(readFileSync(join(props.projectRoot, spec.journey), 'utf8'));
      const validated = validateJourney(raw, props.knownTemplates);
      if (!validated.ok) {
        throw new Error(`journey ${spec.journey} is invalid: ${validated.violations.map((v) => v.message).join('; ')}`);
      }
      const { definition } = compileJourney(validated.journey, placeholders);

      const stateMachine = new StateMachine(scope, 'StateMachine', {
        comment: definition.Comment,
        stateMachineType: StateMachineType.STANDARD,
        definitionBody: DefinitionBody.fromString(JSON.stringify(definition)),
        definitionSubstitutions: substitutions,
        tracingEnabled: true,
        logs: {
          destination: new LogGroup(scope, 'Logs', { retention: props.logRetention ?? RetentionDays.THREE_MONTHS }),
          level: LogLevel.ALL,
          includeExecutionData: true,
        },
      });
      // Only the functions the definition names; a string definition grants nothing by itself.
      for (const role of roles) {
        const target = props.targets[role];
        target.grantInvoke(stateMachine);
        acknowledge(
          stateMachine.role,
          `AwsSolutions-IAM5[Resource::${arnRef(target)}:*]`,
          'Invoke on the qualified ARN (version/alias) of a function this journey calls by name',
        );
      }
      acknowledge(
        stateMachine.role,
        'AwsSolutions-IAM5[Resource::*]',
        'CloudWatch Logs delivery and X-Ray actions that Step Functions logging/tracing need support no resource-level permissions',
      );
      this.machines.push({ name, stateMachine, arnEnv: spec.arnEnv });
    }
  }
}

import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { FunctionName } from '../manifest.ts';
import { pascalCase } from './names.ts';

export interface SchedulesProps {
  /** Scheduled invocations, from `manifest.schedules`; `rate` is `5 minutes`, `rate(...)` or `cron(...)`. */
  specs: readonly { function: FunctionName; rate: string }[];
  functions: Readonly<Record<FunctionName, IFunction>>;
}

/** An EventBridge rule per manifest schedule, invoking the same handler the local driver does. */
export class Schedules extends Construct {
  readonly rules: Rule[] = [];

  constructor(scope: Construct, id: string, props: SchedulesProps) {
    super(scope, id);
    props.specs.forEach((spec, i) => {
      const expression = /^(rate|cron)\(.+\)$/.test(spec.rate) ? spec.rate : `rate(${spec.rate})`;
      const rule = new Rule(this, `${pascalCase(spec.function)}${i + 1}`, {
        description: `Tend: ${spec.function} on ${expression}`,
        schedule: Schedule.expression(expression),
        targets: [new LambdaFunction(props.functions[spec.function], { retryAttempts: 2 })],
      });
      this.rules.push(rule);
    });
  }
}

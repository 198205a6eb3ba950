import { type App, type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * Runs the cdk-nag AwsSolutions pack at synthesis. cdk-nag 3.x is a CDK policy-validation plugin
 * (`Validations.of(app).addPlugins`), not an Aspect: findings land in the cloud assembly's
 * validation report, and an unacknowledged error fails `cdk synth`.
 */
export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}

/**
 * Acknowledges one cdk-nag finding on a construct and everything below it. `id` is a rule
 * (`AwsSolutions-SMG4`) or a single finding (`AwsSolutions-IAM5[Resource::*]`); cdk-nag 3.x has
 * no bulk form, so each wildcard is named and justified on its own.
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/** The `<LogicalId.Arn>` form in which cdk-nag names a resource's ARN inside an IAM finding. */
export function arnRef(resource: IConstruct): string {
  const cfn = resource.node.defaultChild as CfnElement | undefined;
  if (!cfn) throw new Error(`${resource.node.path} has no CloudFormation resource`);
  return `<${Stack.of(resource).getLogicalId(cfn)}.Arn>`;
}

/**
 * What the CDK stack tests share: the stack as `cdk synth` builds it (the same feature flags, no
 * bundling), and readers of the template that find a function and the IAM its role holds.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { expect } from 'vitest';
import type { Grant } from '../function-spec.ts';
import { type FunctionName, functions } from '../manifest.ts';
import { addNagChecks } from './nag.ts';
import { TendStack } from './tend-stack.ts';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
/** The feature flags `cdk synth` runs with, so the tests see the same template. */
export const cdkContext: Record<string, unknown> = JSON.parse(
  readFileSync(join(projectRoot, 'cdk.json'), 'utf8'),
).context;
export const settings = {
  fromEmail: 'Shop <news@mail.shop.test>',
  postalAddress: '1 Test Road',
  domain: 'mail.shop.test',
};
export const functionCount = Object.keys(functions).length;
export const functionNames = Object.keys(functions) as FunctionName[];

/**
 * Builds the stack with the AwsSolutions pack, without bundling the handlers: these tests read the
 * template, not the code, and bundling every function takes a minute and a half. `npm run synth`
 * (run by CI before the tests) bundles every function with cdk-nag, and `npm run bench:functions`
 * measures the bundles.
 */
export function build(options: { domain?: string; alarmEmail?: string; trackingDomain?: string }) {
  const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] } });
  const stack = new TendStack(app, 'Tend', {
    settings: {
      fromEmail: settings.fromEmail,
      postalAddress: settings.postalAddress,
      timeZone: 'Europe/Paris',
      replyTo: 'help@mail.example.com',
      inboxRetentionDays: 30,
      timelineRetentionDays: 400,
      ...(options.domain ? { domain: options.domain } : {}),
      ...(options.alarmEmail ? { alarmEmail: options.alarmEmail } : {}),
      ...(options.trackingDomain ? { trackingDomain: options.trackingDomain } : {}),
    },
    projectRoot,
  });
  addNagChecks(app);
  return { app, stack };
}

/**
 * The stack with a sending domain and its template. Each test file synthesizes it once, in its
 * `beforeAll`: the first synthesis in a process takes a few seconds.
 */
export function synthesize() {
  const { app, stack } = build({ domain: settings.domain });
  return { app, stack, template: Template.fromStack(stack) };
}

export const functionLogicalId = (template: Template, name: FunctionName): string => {
  const found = template.findResources('AWS::Lambda::Function', {
    Properties: { Description: functions[name].description },
  });
  const ids = Object.keys(found);
  expect(ids).toHaveLength(1);
  return ids[0] as string;
};

export type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };

/** Every IAM statement attached to a function's own role. */
export const statementsOf = (template: Template, name: FunctionName): Statement[] => {
  const roleId =
    template.findResources('AWS::Lambda::Function')[functionLogicalId(template, name)]?.Properties.Role[
      'Fn::GetAtt'
    ][0];
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
};

export const actionsOf = (statements: Statement[]): string[] =>
  statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

export const hasGrant = (name: FunctionName, grant: Grant): boolean =>
  (functions[name].grants as readonly Grant[]).includes(grant);

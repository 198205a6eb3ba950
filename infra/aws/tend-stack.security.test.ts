/** What the stack keeps safe: email sending and secrets, sealed webhook secrets, generated names, cdk-nag's findings. */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type FunctionName, functions } from '../manifest.ts';
import { addNagChecks } from './nag.ts';
import { senderAddress } from './settings.ts';
import {
  actionsOf,
  build,
  cdkContext,
  functionLogicalId,
  functionNames,
  settings,
  statementsOf,
  synthesize,
} from './tend-stack.test-support.ts';
import type { TendStack } from './tend-stack.ts';

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

let app: App;
let stack: TendStack;
let template: Template;
beforeAll(() => {
  ({ app, stack, template } = synthesize());
}, 60_000);

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

  it("tracks opens and clicks through SES's own domain, or through tend:trackingDomain when given", () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSet', { TrackingOptions: Match.absent() });
    const { stack: tracked } = build({ domain: settings.domain, trackingDomain: 'track.mail.shop.test' });
    Template.fromStack(tracked).hasResourceProperties('AWS::SES::ConfigurationSet', {
      TrackingOptions: Match.objectLike({ CustomRedirectDomain: 'track.mail.shop.test' }),
    });
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
  const kmsActions = (name: FunctionName): string[] =>
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

describe('the audit log', () => {
  it('denies every function that writes the table changing or deleting in the audit partition', () => {
    const writers = functionNames.filter((name) =>
      (functions[name].grants as readonly string[]).includes('table:write'),
    );
    expect(writers.length).toBeGreaterThan(10);
    for (const name of writers) {
      const deny = statementsOf(template, name).find(
        (s) => (s as { Effect?: string }).Effect === 'Deny' && actionsOf([s]).includes('dynamodb:DeleteItem'),
      );
      expect(deny, name).toMatchObject({
        Action: ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem'],
        Condition: { 'ForAnyValue:StringEquals': { 'dynamodb:LeadingKeys': ['AUDIT'] } },
      });
    }
  });
});

describe('functions that only read', () => {
  it('may append to the audit log and nothing else in the table', () => {
    const appenders = functionNames.filter((n) => (functions[n].grants as readonly string[]).includes('audit:append'));
    expect(appenders).toContain('get-contact');
    for (const name of appenders) {
      expect(statementsOf(template, name), name).toContainEqual(
        expect.objectContaining({
          Action: 'dynamodb:PutItem',
          Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['AUDIT'] } },
        }),
      );
    }
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

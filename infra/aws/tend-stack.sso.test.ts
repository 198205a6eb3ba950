/** Single sign-on on AWS: off by default; configured, the dashboard alone gets the provider and its client secret. */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { functions, routes } from '../manifest.ts';
import { addNagChecks } from './nag.ts';
import type { OidcSettings } from './settings.ts';
import {
  actionsOf,
  cdkContext,
  functionLogicalId,
  functionNames,
  settings,
  statementsOf,
  synthesize,
} from './tend-stack.test-support.ts';
import { TendStack } from './tend-stack.ts';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const OIDC: OidcSettings = {
  issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123',
  clientId: '4example0client0id',
  name: 'Cognito',
};

/** The stack as the test support builds it, with single sign-on configured (and cdk-nag's checks). */
function buildWithSso() {
  const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] } });
  const stack = new TendStack(app, 'Tend', {
    settings: { fromEmail: settings.fromEmail, postalAddress: settings.postalAddress, timeZone: 'UTC', oidc: OIDC },
    projectRoot,
  });
  addNagChecks(app);
  return { app, template: Template.fromStack(stack) };
}

const dashboard = routes.find((r) => r.method === 'GET' && r.path === '/dashboard/{page}')?.function ?? 'dashboard';
const environmentOf = (template: Template, name: (typeof functionNames)[number]): Record<string, unknown> =>
  template.findResources('AWS::Lambda::Function')[functionLogicalId(template, name)]?.Properties.Environment
    .Variables ?? {};
const secretIdOf = (template: Template, description: RegExp): string => {
  const found = Object.entries(template.findResources('AWS::SecretsManager::Secret')).filter(([, r]) =>
    description.test(r.Properties.Description),
  );
  expect(found).toHaveLength(1);
  return found[0]?.[0] ?? '';
};

let app: App;
let withSso: Template;
let without: Template;
beforeAll(() => {
  ({ app, template: withSso } = buildWithSso());
  ({ template: without } = synthesize());
}, 90_000);

describe('single sign-on on AWS', () => {
  it('is off unless configured: no secret for it, no provider in any function', () => {
    expect(Object.keys(without.findResources('AWS::SecretsManager::Secret'))).toHaveLength(2);
    for (const name of functionNames) {
      expect(Object.keys(environmentOf(without, name)).filter((key) => key.startsWith('TEND_OIDC_'))).toEqual([]);
    }
    expect(Object.keys(without.findOutputs('SsoRedirectUri'))).toEqual([]);
  });

  it('creates the client secret inside Secrets Manager, never in the template', () => {
    const id = secretIdOf(withSso, /single sign-on/);
    const secret = withSso.findResources('AWS::SecretsManager::Secret')[id];
    expect(secret?.Properties.GenerateSecretString).toBeDefined();
    expect(secret?.Properties.SecretString).toBeUndefined();
    withSso.hasOutput('OidcClientSecretArn', { Value: { Ref: id } });
  });

  it('tells the dashboard function the provider, and lets it alone read the client secret', () => {
    expect(functions[dashboard].entry).toBe('functions/dashboard/handler.ts');
    const id = secretIdOf(withSso, /single sign-on/);
    expect(environmentOf(withSso, dashboard)).toMatchObject({
      TEND_OIDC_ISSUER: OIDC.issuer,
      TEND_OIDC_CLIENT_ID: OIDC.clientId,
      TEND_OIDC_CLIENT_SECRET_ARN: { Ref: id },
      TEND_OIDC_NAME: 'Cognito',
    });
    const readsIt = (name: (typeof functionNames)[number]) =>
      statementsOf(withSso, name).some(
        (s) => actionsOf([s]).includes('secretsmanager:GetSecretValue') && JSON.stringify(s.Resource).includes(id),
      );
    expect(readsIt(dashboard)).toBe(true);
    for (const name of functionNames.filter((n) => n !== dashboard)) {
      expect(readsIt(name), name).toBe(false);
      expect(Object.keys(environmentOf(withSso, name)).filter((key) => key.startsWith('TEND_OIDC_'))).toEqual([]);
    }
  });

  it('outputs the redirect URI to register with the provider', () => {
    const outputs = withSso.findOutputs('SsoRedirectUri');
    expect(JSON.stringify(outputs.SsoRedirectUri?.Value)).toMatch(/ApiEndpoint.*\/dashboard\/sso-callback/);
  });

  it('leaves no unacknowledged AwsSolutions finding', () => {
    const report = JSON.parse(readFileSync(join(app.synth().directory, 'validation-report.json'), 'utf8')) as {
      pluginReports: { violations: { ruleName: string }[] }[];
    };
    expect(report.pluginReports.flatMap((p) => p.violations.map((v) => v.ruleName))).toEqual([]);
  });
});

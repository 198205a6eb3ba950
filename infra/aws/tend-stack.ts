import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { FunctionName } from '../manifest.ts';
import * as manifest from '../manifest.ts';
import { Api } from './api.construct.ts';
import { Data } from './data.construct.ts';
import { Email } from './email.construct.ts';
import { Functions } from './functions.construct.ts';
import { Journeys, type JourneyTarget } from './journeys.construct.ts';
import { Operations } from './operations.construct.ts';
import { Schedules } from './schedules.construct.ts';
import { Secrets } from './secrets.construct.ts';
import { senderAddress, type TendSettings } from './settings.ts';
import { Streams } from './streams.construct.ts';

export interface TendStackProps extends StackProps {
  /** User choices from `tend:*` context (sender, postal address, sending domain). */
  settings: TendSettings;
  /** Absolute repository root, where the manifest's handler paths start. */
  projectRoot: string;
  /** Retention of function logs; defaults to one month. */
  functionLogRetention?: RetentionDays;
  /** Retention of journey execution logs; defaults to three months. */
  journeyLogRetention?: RetentionDays;
}

/** The function that serves the dashboard's pages, as the manifest routes them (single sign-on lives there). */
function dashboardFunction(): FunctionName {
  const route = manifest.routes.find((r) => r.method === 'GET' && r.path === '/dashboard/{page}');
  if (!route) throw new Error('the manifest routes no GET /dashboard/{page}');
  return route.function;
}

/**
 * The whole app on AWS, composed from feature constructs and driven by infra/manifest.ts: add a
 * function, route, stream or schedule there and it appears here, with IAM from its grants.
 * Journeys are not deployed: the journeys API publishes them at run time under the journey role.
 */
export class TendStack extends Stack {
  constructor(scope: Construct, id: string, props: TendStackProps) {
    super(scope, id, props);
    const { settings, projectRoot } = props;

    const data = new Data(this, 'Data', { spec: manifest.table });
    const secrets = new Secrets(this, 'Secrets', { sso: settings.oidc !== undefined });
    const email = new Email(this, 'Email', {
      fromAddress: senderAddress(settings.fromEmail),
      ...(settings.domain ? { domain: settings.domain } : {}),
      ...(settings.trackingDomain ? { trackingDomain: settings.trackingDomain } : {}),
    });
    const functions = new Functions(this, 'Functions', {
      specs: manifest.functions,
      projectRoot,
      table: data.table,
      tableNameEnv: manifest.table.nameEnv,
      secrets,
      email,
      fromEmail: settings.fromEmail,
      postalAddress: settings.postalAddress,
      timeZone: settings.timeZone,
      ...(settings.replyTo ? { replyTo: settings.replyTo } : {}),
      ...(settings.inboxRetentionDays !== undefined ? { inboxRetentionDays: settings.inboxRetentionDays } : {}),
      ...(settings.timelineRetentionDays !== undefined
        ? { timelineRetentionDays: settings.timelineRetentionDays }
        : {}),
      ...(props.functionLogRetention ? { logRetention: props.functionLogRetention } : {}),
    });
    const api = new Api(this, 'Api', {
      routes: manifest.routes,
      specs: manifest.functions,
      functions: functions.byName,
    });
    functions.setPublicUrl(api.url);
    if (settings.oidc && secrets.oidcClientSecret) {
      functions.enableSso(dashboardFunction(), settings.oidc, secrets.oidcClientSecret);
      new CfnOutput(this, 'SsoRedirectUri', {
        value: `${api.url}/dashboard/sso-callback`,
        description: 'Register this redirect (callback) URI with the identity provider',
      });
      new CfnOutput(this, 'OidcClientSecretArn', {
        value: secrets.oidcClientSecret.secretArn,
        description:
          'Put the identity provider client secret here: aws secretsmanager put-secret-value --secret-id <arn> --secret-string <secret>',
      });
    }
    email.publishEventsTo(functions.byName[manifest.emailEvents.function], manifest.emailEvents.eventTypes);

    const streams = new Streams(this, 'Streams', {
      specs: manifest.streams,
      table: data.table,
      functions: functions.byName,
    });

    const journeys = new Journeys(this, 'Journeys', {
      targets: Object.fromEntries(
        Object.entries(manifest.journeyFunctions).map(([target, name]): [string, LambdaFunction] => [
          target,
          functions.byName[name],
        ]),
      ) as Record<JourneyTarget, LambdaFunction>,
      targetEnv: manifest.journeyFunctionEnv,
      ...(props.journeyLogRetention ? { logRetention: props.journeyLogRetention } : {}),
    });
    functions.allowJourneys(journeys);

    new Schedules(this, 'Schedules', { specs: manifest.schedules, functions: functions.byName });

    const operations = new Operations(this, 'Operations', {
      functions: functions.byName,
      deadLetters: streams.deadLetters,
      table: data.table,
      httpApi: api.httpApi,
      journeyPrefix: journeys.prefix,
      ...(settings.alarmEmail ? { alarmEmail: settings.alarmEmail } : {}),
    });

    new CfnOutput(this, 'ApiUrl', { value: api.url, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'TableName', { value: data.table.tableName });
    new CfnOutput(this, 'SesConfigurationSetName', { value: email.configurationSet.configurationSetName });
    new CfnOutput(this, 'AdminTokenSecretArn', {
      value: secrets.adminToken.secretArn,
      description: 'Read the admin API token with: aws secretsmanager get-secret-value --secret-id <arn>',
    });
    new CfnOutput(this, 'JourneyRoleArn', {
      value: journeys.role.roleArn,
      description: 'Role every published journey state machine runs as',
    });
    new CfnOutput(this, 'JourneyLogGroupName', {
      value: journeys.logGroup.logGroupName,
      description: 'Execution logs of every journey',
    });
    new CfnOutput(this, 'JourneyPrefix', {
      value: journeys.prefix,
      description: 'Journey state machines are named <prefix>-<journeyId>',
    });
    new CfnOutput(this, 'DashboardName', { value: operations.dashboard.dashboardName });
    new CfnOutput(this, 'DashboardUrl', { value: operations.dashboardUrl, description: 'CloudWatch dashboard' });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: operations.topic.topicArn,
      description: 'Every alarm notifies this topic; subscribe on-call endpoints to it',
    });
    if (email.identity) {
      new CfnOutput(this, 'SesEmailIdentity', { value: email.identity.emailIdentityName });
      email.identity.dkimRecords.forEach((record, i) => {
        new CfnOutput(this, `DkimRecord${i + 1}`, {
          value: `${record.name} CNAME ${record.value}`,
          description: 'Publish in DNS to verify the sending domain with Easy DKIM',
        });
      });
    }
  }
}

import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { addNagChecks } from './nag.ts';
import { settingsFromContext } from './settings.ts';
import { TendStack } from './tend-stack.ts';

/** CDK entry point (`cdk.json` runs it with tsx): `npx cdk deploy -c tend:fromEmail=... -c tend:domain=...`. */
const app = new App();
const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;

new TendStack(app, 'Tend', {
  description: 'Tend: serverless lifecycle CRM',
  settings: settingsFromContext(app.node),
  projectRoot: fileURLToPath(new URL('../..', import.meta.url)),
  // Environment-agnostic unless the CLI knows the target, so synth works offline.
  ...(account && region ? { env: { account, region } } : {}),
});
addNagChecks(app);

import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { secrets } from './clients/secrets-manager.ts';
import { config } from './config.ts';

const cache = new Map<string, Promise<string>>();

async function resolve(name: string, value: string | undefined, arn: string | undefined): Promise<string> {
  if (value) return value;
  if (!arn) throw new Error(`configuration names neither ${name} nor ${name}_ARN`);
  let pending = cache.get(arn);
  if (!pending) {
    pending = secrets.send(new GetSecretValueCommand({ SecretId: arn })).then((out) => {
      if (!out.SecretString) throw new Error(`secret for ${name} is empty`);
      return out.SecretString;
    });
    pending.catch(() => cache.delete(arn));
    cache.set(arn, pending);
  }
  return pending;
}

/** The bearer token every `/api/*` route requires. */
export const adminToken = () =>
  resolve('TEND_ADMIN_TOKEN', config.TEND_ADMIN_TOKEN, config.TEND_ADMIN_TOKEN_SECRET_ARN);

/** The key that signs unsubscribe links. */
export const linkSecret = () => resolve('TEND_LINK_SECRET', config.TEND_LINK_SECRET, config.TEND_LINK_SECRET_ARN);

import { config } from './config.ts';

const cache = new Map<string, Promise<string>>();

/**
 * Reads a secret from Secrets Manager. The client is imported on the first read: only secrets
 * configured by ARN (on AWS) need it, once per warm function, and public routes never do.
 */
const readSecret = async (arn: string) => (await import('./clients/secrets-manager.ts')).readSecret(arn);

async function resolve(name: string, value: string | undefined, arn: string | undefined): Promise<string> {
  if (value) return value;
  if (!arn) throw new Error(`configuration names neither ${name} nor ${name}_ARN`);
  let pending = cache.get(arn);
  if (!pending) {
    pending = readSecret(arn).then((value) => {
      if (!value) throw new Error(`secret for ${name} is empty`);
      return value;
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

/** The client secret Tend presents to the OpenID Connect provider (single sign-on). */
export const oidcClientSecret = () =>
  resolve('TEND_OIDC_CLIENT_SECRET', config.TEND_OIDC_CLIENT_SECRET, config.TEND_OIDC_CLIENT_SECRET_ARN);

/**
 * Reads the client secret again at its next use: called when the provider refuses it, since an
 * operator sets the value after the deploy that created the secret (a warm function would keep
 * the placeholder it read first).
 */
export const forgetOidcClientSecret = (): void => {
  if (config.TEND_OIDC_CLIENT_SECRET_ARN) cache.delete(config.TEND_OIDC_CLIENT_SECRET_ARN);
};

import * as client from 'openid-client';
import type { User } from './model.ts';
import type { UserStore } from './store.ts';

/**
 * Single sign-on through OpenID Connect (any provider that vouches for verified emails: Cognito, Okta, Google, Keycloak):
 * the authorization code flow with PKCE, state and nonce, by openid-client. The provider vouches
 * for an email; Tend signs in the active user who has it, and creates no one.
 *
 * Loaded only with the two single sign-on routes (the dashboard imports them with `import()`),
 * so openid-client is never part of the dashboard's cold start.
 */

export interface OidcSettings {
  /** The provider's issuer URL; its metadata is at `<issuer>/.well-known/openid-configuration`. */
  issuer: string;
  clientId: string;
  /** Read at each use through the secrets' cache: a changed secret is taken once it is read again. */
  clientSecret: () => Promise<string>;
  /** Called when the provider refuses the client's credentials, so the secret is read afresh. */
  forgetSecret?: () => void;
  /** Where the provider sends the browser back: `<public url>/dashboard/sso-callback`. */
  redirectUri: string;
}

/** What the browser keeps between leaving for the provider and coming back (a short-lived cookie). */
export interface PendingSignIn {
  state: string;
  nonce: string;
  /** PKCE: only its hash went to the provider; the code is worth nothing without it. */
  verifier: string;
}

/** How a callback ends: the email the provider vouches for, or why not. */
export type OidcOutcome =
  | { ok: true; email: string; subject: string }
  /** The provider answered with an error (the person declined, or is not allowed this client). */
  | { ok: false; reason: 'declined'; error: string; description?: string }
  /** The state, the code, the token or its nonce did not verify: forged, replayed, or too late. */
  | { ok: false; reason: 'not-verified' }
  /** The provider refused Tend's own credentials (client id or secret): a configuration to mend. */
  | { ok: false; reason: 'client-refused' }
  | { ok: false; reason: 'no-email' }
  | { ok: false; reason: 'email-not-verified'; email: string };

/** Seconds any one request to the provider may take: the dashboard function has ten in all. */
const PROVIDER_TIMEOUT_SECONDS = 4;
const SCOPE = 'openid email';
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Some providers (Cognito's UserInfo, some older ones) write `email_verified` as the string
 * "true"; both say the same. Anything else (absent, false) is not verified.
 */
const isVerified = (value: unknown) => value === true || value === 'true';

/** The single sign-on client; its provider's metadata is discovered once per warm function and secret. */
export function createOidcClient(settings: OidcSettings) {
  const issuer = new URL(settings.issuer);
  // Plain http is accepted for a provider on this machine only (config.ts allows no other).
  const insecure = issuer.protocol === 'http:' && LOOPBACK.has(issuer.hostname);
  let current: { secret: string; configuration: Promise<client.Configuration> } | undefined;

  async function configuration(): Promise<client.Configuration> {
    const secret = await settings.clientSecret();
    if (current?.secret !== secret) {
      const pending = client.discovery(issuer, settings.clientId, undefined, client.ClientSecretBasic(secret), {
        timeout: PROVIDER_TIMEOUT_SECONDS,
        ...(insecure ? { execute: [client.allowInsecureRequests] } : {}),
      });
      const entry = { secret, configuration: pending };
      current = entry;
      // A provider that did not answer is asked again next time, not remembered as down.
      pending.catch(() => {
        if (current === entry) current = undefined;
      });
    }
    const found = await current.configuration;
    found.timeout = PROVIDER_TIMEOUT_SECONDS;
    return found;
  }

  return {
    /** The provider's authorization URL for a new sign-in, and what the browser keeps meanwhile. */
    async begin(): Promise<{ url: URL; pending: PendingSignIn }> {
      const config = await configuration();
      const pending = {
        state: client.randomState(),
        nonce: client.randomNonce(),
        verifier: client.randomPKCECodeVerifier(),
      };
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: settings.redirectUri,
        scope: SCOPE,
        state: pending.state,
        nonce: pending.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(pending.verifier),
        code_challenge_method: 'S256',
      });
      return { url, pending };
    },

    /**
     * Completes a sign-in from the callback's query: checks the state, exchanges the code (with
     * the PKCE verifier), verifies the ID token and its nonce, and reads the email and whether the
     * provider verified it (from the ID token, else from UserInfo). A provider that does not
     * answer is thrown; every refusal is an outcome.
     */
    async complete(query: URLSearchParams, pending: PendingSignIn): Promise<OidcOutcome> {
      const config = await configuration();
      const callback = new URL(settings.redirectUri);
      callback.search = query.toString();
      try {
        const tokens = await client.authorizationCodeGrant(config, callback, {
          pkceCodeVerifier: pending.verifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        });
        const claims = tokens.claims();
        if (!claims) return { ok: false, reason: 'not-verified' };
        const told =
          typeof claims.email === 'string'
            ? claims
            : await client.fetchUserInfo(config, tokens.access_token, claims.sub);
        if (typeof told.email !== 'string' || told.email.trim() === '') return { ok: false, reason: 'no-email' };
        const email = told.email.trim().toLowerCase();
        if (!isVerified(told.email_verified)) return { ok: false, reason: 'email-not-verified', email };
        return { ok: true, email, subject: claims.sub };
      } catch (error) {
        if (error instanceof client.AuthorizationResponseError) {
          return {
            ok: false,
            reason: 'declined',
            error: error.error,
            ...(error.error_description ? { description: error.error_description } : {}),
          };
        }
        // Refused credentials come as a 401 challenge (client_secret_basic) or an invalid_client body.
        if (
          error instanceof client.WWWAuthenticateChallengeError ||
          (error instanceof client.ResponseBodyError && error.error === 'invalid_client')
        ) {
          settings.forgetSecret?.();
          return { ok: false, reason: 'client-refused' };
        }
        if (error instanceof client.ResponseBodyError) return { ok: false, reason: 'not-verified' };
        if (error instanceof client.ClientError) return { ok: false, reason: 'not-verified' };
        throw error;
      }
    },
  };
}

export type OidcClient = ReturnType<typeof createOidcClient>;

/** Whom a vouched-for email signs in: an active user, or no one (no user has it, or theirs is not active). */
export type SsoUser =
  | { found: 'active'; user: User }
  | { found: 'not-active'; status: User['status'] }
  | { found: 'none' };

/**
 * The active user with the email a provider vouched for, with the sign-in noted on them as a
 * password sign-in notes it. Written over the record just read: a change landing meanwhile (a
 * role change, a deactivation) is read again rather than undone.
 */
export async function activeUserFor(
  people: Pick<UserStore, 'getUserByEmail' | 'putUser'>,
  email: string,
  now: Date,
): Promise<SsoUser> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const user = await people.getUserByEmail(email);
    if (!user) return { found: 'none' };
    if (user.status !== 'active') return { found: 'not-active', status: user.status };
    const noted: User = { ...user, lastSignInAt: now.toISOString(), updatedAt: now.toISOString() };
    if (await people.putUser(noted, user.updatedAt)) return { found: 'active', user: noted };
  }
  // Changed three times in a row while signing in: refused, as a password sign-in is then.
  return { found: 'none' };
}

import type { Clock } from '#core/clock.ts';
import type { User } from '#people/model.ts';
import {
  activeUserFor,
  createOidcClient,
  type OidcOutcome,
  type OidcSettings,
  type PendingSignIn,
} from '#people/oidc.ts';
import type { UserStore } from '#people/store.ts';
import { type HttpEvent, type HttpResult, statusOf } from '#platform/http.ts';
import { logger } from '#platform/observability.ts';
import { messagePage } from './forms.ts';
import { head } from './pages.ts';
import { page, redirect } from './respond.ts';
import { cookieOf, SSO_COOKIE, SSO_COOKIE_TTL_SECONDS, setCookie } from './session.ts';

/**
 * Single sign-on on the dashboard: `GET /dashboard/sso` sends the browser to the identity
 * provider, `GET /dashboard/sso-callback` is where it comes back. This module and the protocol's
 * (`#people/oidc.ts`, with openid-client) are imported by ./auth.ts with the first of these
 * requests, never in the cold start. The session it opens is opened as every sign-in's is.
 *
 * Between the two, the state, the nonce and the PKCE verifier wait in an HttpOnly cookie of their
 * own, SameSite=Lax so it comes back with the browser from the provider's site. It needs no
 * signature: its values are random, checked only against what the provider sends back to this
 * same browser, and worth nothing without the provider's code for them.
 */

export interface SsoSettings extends Omit<OidcSettings, 'redirectUri'> {
  /** The provider's name on the sign-in button ("Okta"). */
  name: string;
}

export interface SsoDeps {
  settings: SsoSettings;
  people: Pick<UserStore, 'getUserByEmail' | 'putUser'>;
  clock: Clock;
  /** The app's public base URL: the redirect URI is `<it>/dashboard/sso-callback`. */
  publicUrl: string;
  /** Opens the user's session as every sign-in does (audited), answering with `answer`. */
  signInAs: (
    event: HttpEvent,
    user: User,
    summary: string,
    answer: (headers: Record<string, string>) => HttpResult,
  ) => Promise<HttpResult>;
}

/** Where the provider sends the browser back; register it at the provider. */
export const ssoRedirectUri = (publicUrl: string): string => new URL('/dashboard/sso-callback', publicUrl).href;

const RANDOM = /^[A-Za-z0-9_-]{43}$/;

/** The cookie's value: the three random values, each 32 bytes in base64url. */
const encodePending = (p: PendingSignIn) => `${p.state}.${p.nonce}.${p.verifier}`;
function decodePending(value: string | undefined): PendingSignIn | undefined {
  const [state, nonce, verifier, ...rest] = (value ?? '').split('.');
  if (rest.length > 0 || ![state, nonce, verifier].every((v) => v !== undefined && RANDOM.test(v))) return undefined;
  return { state, nonce, verifier } as PendingSignIn;
}

/**
 * The page a single sign-on ends on: it sets the session cookie and moves on to the dashboard by
 * itself. Not a redirect: the browser came from the identity provider's site, and a redirect
 * would continue that cross-site navigation, which does not carry the SameSite=Strict cookie.
 */
const signedIn = (headers: Record<string, string>) =>
  page(
    200,
    `${head('Signed in', '<meta http-equiv="refresh" content="0; url=/dashboard">\n')}
<body class="sign-in">
<main>
<h1>Signed in</h1>
<p>Opening the dashboard… <a href="/dashboard">Continue</a></p>
</main>
</body>
</html>`,
    headers,
  );

const START_AGAIN = { href: '/dashboard/sign-in', label: 'Back to the sign-in page' };

/** Why a callback did not sign anyone in, in words for the person it happened to. */
function refusal(outcome: Exclude<OidcOutcome, { ok: true }>, name: string): { title: string; message: string } {
  switch (outcome.reason) {
    case 'declined':
      return {
        title: 'Not signed in',
        message: `${name} did not sign you in (${outcome.error}${outcome.description ? `: ${outcome.description}` : ''}).`,
      };
    case 'not-verified':
      return {
        title: 'Sign-in not verified',
        message:
          'This sign-in could not be verified: it was not started from this browser, was used already, or took more than ten minutes. Please start again.',
      };
    case 'client-refused':
      return {
        title: 'Single sign-on not set up',
        message: `${name} refused Tend's client credentials. An admin must check the client id and secret Tend is configured with; meanwhile, sign in with your password.`,
      };
    case 'no-email':
      return {
        title: 'No email from the identity provider',
        message: `${name} did not tell which email you use, and Tend knows its users by email. An administrator of ${name} must let Tend read it (the "email" scope).`,
      };
    case 'email-not-verified':
      return {
        title: 'Email not verified',
        message: `${name} has not verified ${outcome.email}, so Tend cannot take it as yours. Verify it at ${name}, then start again.`,
      };
  }
}

export function createSso(deps: SsoDeps) {
  const secure = deps.publicUrl.startsWith('https:');
  const redirectUri = ssoRedirectUri(deps.publicUrl);
  const { name } = deps.settings;
  const oidc = createOidcClient({ ...deps.settings, redirectUri });
  const pendingCookie = (value: string, maxAgeSeconds: number) =>
    setCookie(SSO_COOKIE, value, { secure, maxAgeSeconds, sameSite: 'Lax' });
  /** A refusal page; the pending sign-in's cookie goes with it (it is of no more use). */
  const refused = (status: number, title: string, message: string) =>
    page(status, messagePage(title, message, START_AGAIN), { 'set-cookie': pendingCookie('', 0) });
  const unavailable = (error: unknown) => {
    logger.warn('identity provider unavailable', { error });
    return refused(
      statusOf('unavailable'),
      'Identity provider unavailable',
      `${name} did not answer. Please try again in a minute, or sign in with your password.`,
    );
  };

  return {
    /** GET /dashboard/sso: to the provider, with a new state, nonce and PKCE challenge. */
    async start(_event: HttpEvent): Promise<HttpResult> {
      let begun: Awaited<ReturnType<typeof oidc.begin>>;
      try {
        begun = await oidc.begin();
      } catch (error) {
        return unavailable(error);
      }
      return redirect(begun.url.href, {
        'set-cookie': pendingCookie(encodePending(begun.pending), SSO_COOKIE_TTL_SECONDS),
      });
    },

    /**
     * GET /dashboard/sso-callback: verifies what the provider sent back, then signs in the active
     * user with the email it vouches for. Nobody is created: an admin invites people first.
     */
    async callback(event: HttpEvent): Promise<HttpResult> {
      const pending = decodePending(cookieOf(event, SSO_COOKIE));
      if (!pending) {
        const { title, message } = refusal({ ok: false, reason: 'not-verified' }, name);
        return refused(statusOf('forbidden'), title, message);
      }
      const query = new URLSearchParams(
        event.rawQueryString ?? (event.queryStringParameters as Record<string, string>),
      );
      let outcome: OidcOutcome;
      try {
        outcome = await oidc.complete(query, pending);
      } catch (error) {
        return unavailable(error);
      }
      if (!outcome.ok) {
        const misconfigured = outcome.reason === 'client-refused';
        logger[misconfigured ? 'warn' : 'info']('single sign-on refused', { reason: outcome.reason });
        const { title, message } = refusal(outcome, name);
        return refused(statusOf(misconfigured ? 'unavailable' : 'forbidden'), title, message);
      }
      const found = await activeUserFor(deps.people, outcome.email, deps.clock.now());
      if (found.found !== 'active') {
        logger.info('single sign-on refused', { reason: found.found === 'none' ? 'no user' : 'user not active' });
        const message =
          found.found === 'none'
            ? `There is no Tend user for ${outcome.email}: ask an admin to invite you.`
            : `The Tend user for ${outcome.email} is ${found.status}, not active: accept the invitation first, or ask an admin.`;
        return refused(statusOf('forbidden'), 'No Tend user', message);
      }
      const summary = `signed in to the dashboard by single sign-on through ${name}`;
      return deps.signInAs(event, found.user, summary, signedIn);
    },
  };
}

export type Sso = ReturnType<typeof createSso>;

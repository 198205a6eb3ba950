import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '#core/clock.ts';
import { CodedError } from '#core/errors.ts';
import { actorOf } from '#people/audit.ts';
import type { User } from '#people/model.ts';
import {
  adminTokenFingerprint,
  closeSession,
  findSession,
  openSession,
  type Session,
  type SessionCaller,
  type SessionStore,
  type SessionSubject,
} from '#people/sessions.ts';
import { acceptInvitation, checkInvitation, type SignInDeps, signInWithPassword } from '#people/sign-in.ts';
import type { AuditStore, UserStore } from '#people/store.ts';
import { type HttpEvent, type HttpResult, rawBody, statusOf } from '#platform/http.ts';
import {
  CSRF_FIELD,
  type CsrfBinding,
  csrfMatches,
  csrfToken,
  fromOwnOrigin,
  isFormNonce,
  newFormNonce,
} from './csrf.ts';
import { invitationPage, messagePage, signInPage } from './forms.ts';
import type { Viewer } from './pages.ts';
import { notFound, page, redirect } from './respond.ts';
import { cookieOf, FORM_COOKIE, FORM_COOKIE_TTL_SECONDS, SESSION_COOKIE, sessionCookie, setCookie } from './session.ts';
import type { Sso, SsoSettings } from './sso.ts';

/**
 * Signing in and out of the dashboard, and accepting an invitation: the forms, their checks
 * (origin and CSRF token first, before anything else is read), the server-side session each
 * sign-in opens under a new id, and the audit entry each sign-in leaves. Single sign-on, when
 * configured, ends in the same session and audit entry (./sso.ts).
 */
export interface AuthDeps {
  people: Pick<UserStore, 'getUser' | 'getUserByEmail' | 'putUser'> & AuditStore;
  sessions: SessionStore;
  clock: Clock;
  adminToken: () => Promise<string>;
  /** The key the CSRF tokens are derived from. */
  linkSecret: () => Promise<string>;
  /** The app's public base URL: its origin is the one forms may come from; https makes cookies Secure. */
  publicUrl: string;
  /** The zone a lock's end is written in. */
  timeZone: string;
  /** Single sign-on through an OpenID Connect provider; without it its routes answer 404. */
  sso?: SsoSettings;
}

/** The signed-in caller of a request and their session. */
export interface Current {
  caller: SessionCaller;
  session: Session;
  sessionId: string;
}

const FORGED = 'This form did not come from this dashboard’s own page, or it was open too long. Please try again.';
const REFUSED = 'The email or the password is not right.';
const NOT_ADMIN_TOKEN = 'That is not the admin token.';

/** Compares digests so neither the length nor the content of the token leaks through timing. */
function sameToken(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return given !== '' && timingSafeEqual(digest(given), digest(expected));
}

const formOf = (event: HttpEvent) => new URLSearchParams(rawBody(event).toString('utf8'));
const from = (event: HttpEvent) => ({
  ip: event.requestContext?.http?.sourceIp,
  userAgent: event.requestContext?.http?.userAgent,
});

export function createDashboardAuth(deps: AuthDeps) {
  const secure = deps.publicUrl.startsWith('https:');
  const sessionDeps = { sessions: deps.sessions, people: deps.people, clock: deps.clock };
  const lockEnd = new Intl.DateTimeFormat('en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    timeZone: deps.timeZone,
    timeZoneName: 'short',
  });

  /** The form nonce of the request's cookie, or a new one with the cookie that sets it. */
  function formNonce(event: HttpEvent): { nonce: string; headers: Record<string, string> } {
    const presented = cookieOf(event, FORM_COOKIE);
    if (isFormNonce(presented)) return { nonce: presented, headers: {} };
    const nonce = newFormNonce();
    const cookie = setCookie(FORM_COOKIE, nonce, { secure, maxAgeSeconds: FORM_COOKIE_TTL_SECONDS });
    return { nonce, headers: { 'set-cookie': cookie } };
  }

  /** A pre-sign-in form's CSRF token and the cookie its nonce needs (when the browser has none yet). */
  async function formToken(event: HttpEvent) {
    const { nonce, headers } = formNonce(event);
    return { csrf: csrfToken(await deps.linkSecret(), { nonce }), headers };
  }

  /** Whether a POST passes the origin check and carries the token for `binding`. */
  async function genuine(event: HttpEvent, form: URLSearchParams, binding: CsrfBinding | undefined) {
    if (!fromOwnOrigin(event, deps.publicUrl) || !binding) return false;
    return csrfMatches(await deps.linkSecret(), binding, form.get(CSRF_FIELD));
  }

  const preSession = (event: HttpEvent): CsrfBinding | undefined => {
    const nonce = cookieOf(event, FORM_COOKIE);
    return isFormNonce(nonce) ? { nonce } : undefined;
  };

  async function signInAnswer(event: HttpEvent, status: number, form: Omit<Parameters<typeof signInPage>[0], 'csrf'>) {
    const { csrf, headers } = await formToken(event);
    return page(status, signInPage({ ...form, csrf, ...(deps.sso ? { sso: deps.sso.name } : {}) }), headers);
  }

  /** How a sign-in answers, given the header that sets the session cookie. */
  type Answer = (headers: Record<string, string>) => HttpResult;
  const toDashboard: Answer = (headers) => redirect('/dashboard', headers);

  /** A user's session, after a password sign-in, an accepted invitation or single sign-on. */
  const beginAs = (event: HttpEvent, user: User, summary: string, answer: Answer = toDashboard) =>
    begin(
      event,
      { kind: 'user', userId: user.userId, email: user.email, role: user.role, via: 'session' },
      { kind: 'user', userId: user.userId },
      summary,
      answer,
    );

  /**
   * Opens a session for `caller` under a new id, ends the one the browser presented (if any:
   * it is never carried over), writes the audit entry, and sends the browser to the dashboard
   * (by a redirect, unless `answer` says otherwise).
   */
  async function begin(
    event: HttpEvent,
    caller: SessionCaller,
    subject: SessionSubject,
    summary: string,
    answer: Answer = toDashboard,
  ) {
    await closeSession(deps, cookieOf(event, SESSION_COOKIE));
    const { sessionId } = await openSession(deps, subject, from(event));
    const result = answer({ 'set-cookie': sessionCookie(sessionId, secure) });
    const { ip, userAgent } = from(event);
    await deps.people.appendAudit({
      auditId: randomBytes(8).toString('hex'),
      at: deps.clock.now().toISOString(),
      actor: actorOf(caller),
      action: 'session.sign-in',
      target: caller.kind === 'user' ? `user:${caller.userId}` : 'admin-token',
      summary,
      route: event.routeKey,
      status: result.statusCode ?? 200,
      ...(ip ? { ip } : {}),
      ...(userAgent ? { userAgent: userAgent.slice(0, 300) } : {}),
    });
    return result;
  }

  let sso: Promise<Sso> | undefined;
  /** Single sign-on's routes, loaded with the first of their requests (never in the cold start). */
  const ssoRoutes = (settings: SsoSettings) => {
    sso ??= import('./sso.ts').then(({ createSso }) =>
      createSso({
        settings,
        people: deps.people,
        clock: deps.clock,
        publicUrl: deps.publicUrl,
        signInAs: beginAs,
      }),
    );
    return sso;
  };

  async function signInWithToken(event: HttpEvent, token: string): Promise<HttpResult> {
    const expected = await deps.adminToken();
    if (!sameToken(token, expected)) return signInAnswer(event, statusOf('unauthorized'), { error: NOT_ADMIN_TOKEN });
    const subject: SessionSubject = { kind: 'admin-token', tokenFingerprint: adminTokenFingerprint(expected) };
    return begin(
      event,
      { kind: 'admin-token', role: 'admin' },
      subject,
      'signed in to the dashboard with the admin token',
    );
  }

  return {
    /** The signed-in caller, or undefined (no cookie, or its session is not valid now). */
    async current(event: HttpEvent): Promise<Current | undefined> {
      const sessionId = cookieOf(event, SESSION_COOKIE);
      const found = await findSession(sessionDeps, sessionId, deps.adminToken);
      return found && sessionId ? { ...found, sessionId } : undefined;
    },

    /** Who the page shell names, and the token its sign-out form carries. */
    async viewer(current: Current): Promise<Viewer> {
      const { caller } = current;
      return {
        name: caller.kind === 'user' ? caller.email : 'admin token',
        role: caller.role,
        csrf: csrfToken(await deps.linkSecret(), { session: current.sessionId }),
      };
    },

    /** GET /dashboard/sso: to the identity provider (404 when single sign-on is not configured). */
    async ssoStart(event: HttpEvent): Promise<HttpResult> {
      return deps.sso ? (await ssoRoutes(deps.sso)).start(event) : notFound();
    },

    /** GET /dashboard/sso-callback: back from the identity provider, signed in or told why not. */
    async ssoCallback(event: HttpEvent): Promise<HttpResult> {
      return deps.sso ? (await ssoRoutes(deps.sso)).callback(event) : notFound();
    },

    /** GET /dashboard/sign-in */
    signInForm: (event: HttpEvent) => {
      const notice = event.queryStringParameters?.signed === 'out' ? 'You are signed out.' : undefined;
      return signInAnswer(event, 200, { notice });
    },

    /** POST /dashboard/sign-in: email and password, or the admin token. */
    async signIn(event: HttpEvent): Promise<HttpResult> {
      const form = formOf(event);
      if (!(await genuine(event, form, preSession(event)))) {
        return signInAnswer(event, statusOf('forbidden'), { error: FORGED });
      }
      const token = form.get('token') ?? '';
      if (token !== '') return signInWithToken(event, token);
      const email = form.get('email') ?? '';
      const signInDeps: SignInDeps = { people: deps.people, sessions: deps.sessions };
      const outcome = await signInWithPassword(signInDeps, email, form.get('password') ?? '', deps.clock.now());
      if (outcome.ok) {
        return beginAs(event, outcome.user, 'signed in to the dashboard with a password');
      }
      const error =
        outcome.reason === 'locked' ? `Too many attempts: try again after ${lockEnd.format(outcome.until)}.` : REFUSED;
      return signInAnswer(event, statusOf('unauthorized'), { error, email: email.slice(0, 320) });
    },

    /** POST /dashboard/sign-out: ends the session (its own token required), then the sign-in page. */
    async signOut(event: HttpEvent): Promise<HttpResult> {
      const form = formOf(event);
      const sessionId = cookieOf(event, SESSION_COOKIE);
      const current = await findSession(sessionDeps, sessionId, deps.adminToken);
      if (current && sessionId) {
        if (!(await genuine(event, form, { session: sessionId }))) {
          return page(
            statusOf('forbidden'),
            messagePage('Not signed out', FORGED, { href: '/dashboard', label: 'Back to the dashboard' }),
          );
        }
        await closeSession(deps, sessionId);
      }
      return redirect('/dashboard/sign-in?signed=out', { 'set-cookie': sessionCookie('', secure) });
    },

    /** GET /dashboard/invitation?token=…: the form to set a password, while the link is valid. */
    async invitationForm(event: HttpEvent): Promise<HttpResult> {
      const token = event.queryStringParameters?.token ?? '';
      try {
        const user = await checkInvitation(deps, token);
        const { csrf, headers } = await formToken(event);
        return page(200, invitationPage({ csrf, token, email: user.email, name: user.name }), headers);
      } catch (error) {
        return invitationRefused(error);
      }
    },

    /** POST /dashboard/invitation: sets the password and signs the new user in. */
    async acceptInvitation(event: HttpEvent): Promise<HttpResult> {
      const form = formOf(event);
      const token = form.get('token') ?? '';
      const again = async (status: number, error: string) => {
        try {
          const user = await checkInvitation(deps, token);
          const { csrf, headers } = await formToken(event);
          return page(status, invitationPage({ csrf, token, email: user.email, name: user.name, error }), headers);
        } catch (refusal) {
          return invitationRefused(refusal);
        }
      };
      if (!(await genuine(event, form, preSession(event)))) return again(statusOf('forbidden'), FORGED);
      const password = form.get('password') ?? '';
      if (password !== (form.get('confirm') ?? '')) {
        return again(statusOf('unprocessable'), 'The two passwords are not the same.');
      }
      try {
        const user = await acceptInvitation(deps, token, password);
        return beginAs(event, user, 'accepted the invitation, set a password and signed in to the dashboard');
      } catch (error) {
        if (error instanceof CodedError && error.code === 'invalid_password') {
          return again(statusOf(error.kind), `That password will not do: ${error.message}.`);
        }
        return invitationRefused(error);
      }
    },
  };
}

/** The page for a link that is no longer valid (used, expired, replaced or mistyped); anything else is thrown on. */
function invitationRefused(error: unknown): HttpResult {
  if (!(error instanceof CodedError) || error.code !== 'invitation_invalid') throw error;
  return page(
    statusOf(error.kind),
    messagePage('Invitation not valid', error.message, { href: '/dashboard/sign-in', label: 'Go to the sign-in page' }),
  );
}

export type DashboardAuth = ReturnType<typeof createDashboardAuth>;

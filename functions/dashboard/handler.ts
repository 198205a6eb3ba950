import * as z from 'zod';
import { ContactError } from '#contacts/errors.ts';
import { emailSchema } from '#core/email-address.ts';
import { parseOrRefuse } from '#core/parse.ts';
import { DEFAULT_OVERVIEW_DAYS, OVERVIEW_PERIODS } from '#dashboard/client/periods.ts';
import { auditData } from '#dashboard/server/audit-data.ts';
import { createDashboardAuth } from '#dashboard/server/auth.ts';
import {
  contactData,
  enrollmentPath,
  journeyData,
  journeysData,
  overviewData,
  segmentData,
  segmentsData,
} from '#dashboard/server/data.ts';
import { messagePage } from '#dashboard/server/forms.ts';
import { isPageName, mayView, PAGES, pageShell } from '#dashboard/server/pages.ts';
import { notFound, page, redirect, respond } from '#dashboard/server/respond.ts';
import { DASHBOARD_CSS } from '#dashboard/server/styles.ts';
import { JourneyError } from '#journeys/errors.ts';
import { PeopleError } from '#people/errors.ts';
import type { SessionCaller } from '#people/sessions.ts';
import { config } from '#platform/config.ts';
import { PlatformError } from '#platform/errors.ts';
import { type HttpEvent, type HttpResult, httpLambda, json, limitBody, statusOf } from '#platform/http.ts';
import { adminToken, forgetOidcClientSecret, linkSecret, oidcClientSecret } from '#platform/secrets.ts';
import { aggregates } from '#platform/wiring/aggregates.ts';
import { clock } from '#platform/wiring/clock.ts';
import { people } from '#platform/wiring/people.ts';
import { sessions } from '#platform/wiring/sessions.ts';
import { store } from '#platform/wiring/store.ts';
import { SegmentError } from '#segments/errors.ts';
import { loadClient } from './client.ts';

const auth = createDashboardAuth({
  people,
  // Only this function reads or writes sessions and sign-in attempts.
  sessions,
  clock,
  adminToken,
  linkSecret,
  publicUrl: config.TEND_PUBLIC_URL,
  timeZone: config.TEND_DEFAULT_TIME_ZONE,
  // Single sign-on when an identity provider is configured (config.ts requires the rest with it).
  ...(config.TEND_OIDC_ISSUER && config.TEND_OIDC_CLIENT_ID
    ? {
        sso: {
          issuer: config.TEND_OIDC_ISSUER,
          clientId: config.TEND_OIDC_CLIENT_ID,
          clientSecret: oidcClientSecret,
          forgetSecret: forgetOidcClientSecret,
          name: config.TEND_OIDC_NAME ?? 'single sign-on',
        },
      }
    : {}),
});

/** A file of the browser client: its name changes with its contents, so it is cached for good. */
async function asset(name: string): Promise<HttpResult> {
  const file = await (await loadClient()).file(name);
  if (!file) return notFound();
  const text = file.contentType.startsWith('text/');
  return {
    ...respond(200, file.contentType, Buffer.from(file.contents).toString(text ? 'utf8' : 'base64'), {
      'cache-control': 'public, max-age=31536000, immutable',
    }),
    ...(text ? {} : { isBase64Encoded: true }),
  };
}

const journeyQuery = z.object({ id: z.string().min(1).max(128) }).strict();
const contactQuery = z.object({ email: emailSchema }).strict();
const overviewQuery = z
  .object({
    days: z.coerce
      .number()
      .refine((n) => (OVERVIEW_PERIODS as readonly number[]).includes(n), `one of ${OVERVIEW_PERIODS.join(', ')}`)
      .default(DEFAULT_OVERVIEW_DAYS),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'a currency code such as EUR')
      .optional(),
  })
  .strict();
const pathQuery = z.object({ contact: z.string().min(1).max(128), enrollment: z.string().min(1).max(128) }).strict();

async function data(event: HttpEvent, caller: SessionCaller): Promise<HttpResult> {
  const name = event.pathParameters?.name ?? '';
  const query = event.queryStringParameters ?? {};
  const deps = { store, aggregates };
  switch (name) {
    case 'audit':
      if (!mayView('audit', caller.role)) throw new PeopleError('forbidden', 'the audit log is for admins');
      return json(200, await auditData(people, query));
    case 'overview': {
      const options = parseOrRefuse(overviewQuery, query, 'the query');
      return json(200, await overviewData(aggregates, clock.now().toISOString().slice(0, 10), options));
    }
    case 'journeys':
      return json(200, await journeysData(deps));
    case 'journey': {
      const { id } = parseOrRefuse(journeyQuery, query, 'the query');
      const found = await journeyData(deps, id);
      if (!found) throw new JourneyError('journey_not_found', `no saved or published journey "${id}"`);
      return json(200, found);
    }
    case 'contact': {
      const { email } = parseOrRefuse(contactQuery, query, 'the query');
      const found = await contactData(store, email, clock.now());
      if (!found) throw new ContactError('contact_not_found', `no contact has the email ${email}`);
      return json(200, found);
    }
    case 'path': {
      const { contact, enrollment } = parseOrRefuse(pathQuery, query, 'the query');
      // Only this page reads executions: the Step Functions client loads with its first request.
      const { executions } = await import('#platform/wiring/journeys.ts');
      const found = await enrollmentPath({ store, executions }, contact, enrollment);
      if (!found) throw new JourneyError('enrollment_not_found', `no enrollment "${enrollment}" with an execution`);
      return json(200, found);
    }
    case 'segments':
      return json(200, await segmentsData(store));
    case 'segment': {
      const { id } = parseOrRefuse(journeyQuery, query, 'the query');
      const found = await segmentData(store, id);
      if (!found) throw new SegmentError('segment_not_found', `no segment "${id}"`);
      return json(200, found);
    }
    default:
      throw new PlatformError('no_data', `no dashboard data "${name}"`);
  }
}

/**
 * The dashboard: sign-in by email and password, by single sign-on when configured, or with the
 * break-glass admin token, into a server-side session (#dashboard/server/auth.ts), invitations,
 * page shells with their stylesheet and the browser client's entry module, the client's files
 * under `/dashboard/assets/` (./client.ts: read from beside the handler when deployed, never part
 * of its cold start), and `/dashboard/data/<name>`, which reads through the same services as the
 * JSON APIs, so the browser never holds a token. Every role reads every page but the audit log.
 */
export const handler = httpLambda(async (event) => {
  limitBody(event, 4 * 1024);
  switch (event.routeKey) {
    case 'POST /dashboard/sign-in':
      return auth.signIn(event);
    case 'POST /dashboard/sign-out':
      return auth.signOut(event);
    case 'POST /dashboard/invitation':
      return auth.acceptInvitation(event);
    case 'GET /dashboard/data/{name}': {
      const current = await auth.current(event);
      if (!current) throw new PlatformError('signed_out', 'sign in at /dashboard/sign-in');
      return data(event, current.caller);
    }
    case 'GET /dashboard/assets/{file+}':
      return asset(event.pathParameters?.file ?? '');
    case 'GET /dashboard':
    case 'GET /dashboard/{page}': {
      const name = event.pathParameters?.page ?? 'overview';
      if (name === 'app.css') return respond(200, 'text/css; charset=utf-8', DASHBOARD_CSS);
      if (name === 'sign-in') return auth.signInForm(event);
      if (name === 'invitation') return auth.invitationForm(event);
      if (name === 'sso') return auth.ssoStart(event);
      if (name === 'sso-callback') return auth.ssoCallback(event);
      if (!isPageName(name)) return notFound();
      const current = await auth.current(event);
      if (!current) return redirect('/dashboard/sign-in');
      if (!mayView(name, current.caller.role)) {
        const message = `The ${PAGES[name]} page is for admins; you are signed in as ${current.caller.role}.`;
        return page(
          statusOf('forbidden'),
          messagePage('Not for your role', message, { href: '/dashboard', label: 'Back to the dashboard' }),
        );
      }
      return page(200, pageShell(name, await loadClient(), await auth.viewer(current)));
    }
    default:
      throw new PlatformError('no_route', `no route ${event.routeKey}`);
  }
});

import { createHash, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { ContactError } from '#contacts/errors.ts';
import { emailSchema } from '#core/email-address.ts';
import { parseOrRefuse } from '#core/parse.ts';
import { DEFAULT_OVERVIEW_DAYS, OVERVIEW_PERIODS } from '#dashboard/client/periods.ts';
import {
  contactData,
  enrollmentPath,
  journeyData,
  journeysData,
  overviewData,
  segmentData,
  segmentsData,
} from '#dashboard/server/data.ts';
import { CONTENT_SECURITY_POLICY, isPageName, pageShell, signInPage } from '#dashboard/server/pages.ts';
import { readCookie, SESSION_COOKIE, sessionCookie, signSession, verifySession } from '#dashboard/server/session.ts';
import { DASHBOARD_CSS } from '#dashboard/server/styles.ts';
import { JourneyError } from '#journeys/errors.ts';
import { config } from '#platform/config.ts';
import { PlatformError } from '#platform/errors.ts';
import { type HttpEvent, type HttpResult, header, httpLambda, json, limitBody, statusOf } from '#platform/http.ts';
import { adminToken, linkSecret } from '#platform/secrets.ts';
import { aggregates } from '#platform/wiring/aggregates.ts';
import { clock } from '#platform/wiring/clock.ts';
import { store } from '#platform/wiring/store.ts';
import { SegmentError } from '#segments/errors.ts';
import { loadClient } from './client.ts';

const secure = config.TEND_PUBLIC_URL.startsWith('https:');
const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

const respond = (statusCode: number, type: string, body: string, headers: Record<string, string> = {}): HttpResult => ({
  statusCode,
  headers: { 'content-type': type, 'cache-control': 'no-store', ...SECURITY_HEADERS, ...headers },
  body,
});
const page = (statusCode: number, body: string, headers: Record<string, string> = {}) =>
  respond(statusCode, 'text/html; charset=utf-8', body, headers);
const redirect = (location: string, headers: Record<string, string> = {}) =>
  respond(303, 'text/plain; charset=utf-8', '', { location, ...headers });
const notFound = () =>
  page(
    statusOf('not-found'),
    '<!doctype html><title>Not found</title><p>No such page. <a href="/dashboard">Dashboard</a></p>',
  );

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

/** API Gateway v2 moves cookies out of the headers into `cookies`; the local gateway leaves them there. */
const sessionOf = (event: HttpEvent) =>
  readCookie([...(event.cookies ?? []), header(event, 'cookie') ?? ''], SESSION_COOKIE);

/** Sessions are signed under the link secret and the admin token, so rotating either signs everyone out. */
async function sessionSecret(): Promise<string> {
  return `${await linkSecret()}:${createHash('sha256')
    .update(await adminToken())
    .digest('hex')}`;
}

async function signedIn(event: HttpEvent): Promise<boolean> {
  return verifySession(await sessionSecret(), sessionOf(event), clock.now()).ok;
}

/** Compares digests so neither the length nor the content of the token leaks through timing. */
async function isAdminToken(given: string): Promise<boolean> {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return given !== '' && timingSafeEqual(digest(given), digest(await adminToken()));
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

async function data(event: HttpEvent): Promise<HttpResult> {
  const name = event.pathParameters?.name ?? '';
  const query = event.queryStringParameters ?? {};
  const deps = { store, aggregates };
  switch (name) {
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
 * The business owner's dashboard: a sign-in with the admin token that sets a signed session
 * cookie, page shells with their stylesheet and the browser client's entry module, the client's
 * files under `/dashboard/assets/` (./client.ts: read from beside the handler when deployed,
 * never part of its cold start), and `/dashboard/data/<name>`, which reads through the same
 * services as the JSON APIs, so the browser never holds the admin token.
 */
export const handler = httpLambda(async (event) => {
  limitBody(event, 4 * 1024);
  switch (event.routeKey) {
    case 'POST /dashboard/sign-in': {
      const form = new URLSearchParams(
        Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8').toString(),
      );
      if (!(await isAdminToken(form.get('token') ?? '')))
        return page(statusOf('unauthorized'), signInPage('That is not the admin token.'));
      const cookie = sessionCookie(signSession(await sessionSecret(), clock.now()), { secure });
      return redirect('/dashboard', { 'set-cookie': cookie });
    }
    case 'GET /dashboard/data/{name}':
      if (!(await signedIn(event))) throw new PlatformError('signed_out', 'sign in at /dashboard/sign-in');
      return data(event);
    case 'GET /dashboard/assets/{file+}':
      return asset(event.pathParameters?.file ?? '');
    case 'GET /dashboard':
    case 'GET /dashboard/{page}': {
      const name = event.pathParameters?.page ?? 'overview';
      if (name === 'app.css') return respond(200, 'text/css; charset=utf-8', DASHBOARD_CSS);
      if (name === 'sign-in') return page(200, signInPage());
      if (name === 'sign-out')
        return redirect('/dashboard/sign-in', { 'set-cookie': sessionCookie('', { secure, maxAgeSeconds: 0 }) });
      if (!isPageName(name)) return notFound();
      if (!(await signedIn(event))) return redirect('/dashboard/sign-in');
      return page(200, pageShell(name, await loadClient()));
    }
    default:
      throw new PlatformError('no_route', `no route ${event.routeKey}`);
  }
});

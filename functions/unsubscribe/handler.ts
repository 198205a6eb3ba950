import * as z from 'zod';
import { parseOrRefuse } from '#core/parse.ts';
import { MessagingError } from '#messaging/errors.ts';
import { unsubscribedPage, unsubscribePage } from '#messaging/preference-pages.ts';
import { unsubscribe } from '#messaging/preferences.ts';
import { signedLink, verifyLinkToken } from '#messaging/signed-links.ts';
import { config } from '#platform/config.ts';
import { html, httpLambda } from '#platform/http.ts';
import { logger } from '#platform/observability.ts';
import { linkSecret } from '#platform/secrets.ts';
import { clock } from '#platform/wiring/clock.ts';
import { store } from '#platform/wiring/store.ts';

const querySchema = z.object({
  c: z.string().min(1).max(100),
  topic: z.string().min(1).max(64).optional(),
  t: z.string().min(1).max(100),
});

/**
 * GET shows a confirmation page (the visible link); POST unsubscribes: it is both the RFC 8058
 * one-click target (`List-Unsubscribe=One-Click`) and the page's button.
 */
export const handler = httpLambda(async (event) => {
  const query = parseOrRefuse(querySchema, event.queryStringParameters ?? {}, 'the link');
  const secret = await linkSecret();
  if (!verifyLinkToken(secret, 'unsubscribe', query.c, query.topic, query.t)) {
    throw new MessagingError('invalid_link', 'this unsubscribe link is not valid');
  }
  const preferencesUrl = signedLink(config.TEND_PUBLIC_URL, secret, 'preferences', query.c);
  if (event.requestContext.http.method === 'GET') {
    const action = `/unsubscribe?${new URLSearchParams(event.rawQueryString ?? '').toString()}`;
    return html(200, unsubscribePage(action, query.topic, preferencesUrl));
  }
  const method = (event.body ?? '').includes('List-Unsubscribe=One-Click') ? 'one-click' : 'link';
  const outcome = await unsubscribe(store, {
    contactId: query.c,
    topic: query.topic,
    at: clock.now().toISOString(),
    method,
  });
  logger.info('unsubscribe', { contactId: query.c, topic: query.topic, outcome, method });
  return html(200, unsubscribedPage(query.topic, preferencesUrl));
});

import * as z from 'zod';
import { TOPICS } from '#contacts/consent.ts';
import { parseOrRefuse } from '#core/parse.ts';
import { MessagingError } from '#messaging/errors.ts';
import { page, preferencesPage } from '#messaging/preference-pages.ts';
import { updatePreferences } from '#messaging/preferences.ts';
import { verifyLinkToken } from '#messaging/signed-links.ts';
import { html, httpLambda, rawBody, statusOf } from '#platform/http.ts';
import { logger } from '#platform/observability.ts';
import { linkSecret } from '#platform/secrets.ts';
import { clock } from '#platform/wiring/clock.ts';
import { store } from '#platform/wiring/store.ts';

const querySchema = z.object({ c: z.string().min(1).max(100), t: z.string().min(1).max(100) });
const topicIds = new Set(TOPICS.map((t) => t.id));

/** The preference centre, reached by the signed link in every marketing email. */
export const handler = httpLambda(async (event) => {
  const query = parseOrRefuse(querySchema, event.queryStringParameters ?? {}, 'the link');
  if (!verifyLinkToken(await linkSecret(), 'preferences', query.c, undefined, query.t)) {
    throw new MessagingError('invalid_link', 'this preferences link is not valid');
  }
  const action = `/preferences?${new URLSearchParams({ c: query.c, t: query.t }).toString()}`;
  let saved = false;
  if (event.requestContext.http.method === 'POST') {
    const form = new URLSearchParams(rawBody(event).toString('utf8'));
    const chosen = new Set(form.getAll('topic'));
    const unknown = [...chosen].filter((t) => !topicIds.has(t));
    if (unknown.length > 0) throw new MessagingError('unknown_topic', `unknown topic: ${unknown.join(', ')}`);
    const outcome = await updatePreferences(store, {
      contactId: query.c,
      choice: {
        topics: Object.fromEntries(TOPICS.map((t) => [t.id, chosen.has(t.id)])),
        all: form.get('all') === 'unsubscribe',
      },
      at: clock.now().toISOString(),
    });
    logger.info('preferences saved', { contactId: query.c, outcome });
    saved = true;
  }
  const contact = await store.getContact(query.c);
  if (!contact)
    return html(statusOf('not-found'), page('Link expired', '<p>We could not find these preferences any more.</p>'));
  return html(200, preferencesPage(action, contact, saved));
});

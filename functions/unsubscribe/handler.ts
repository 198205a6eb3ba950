import { z } from 'zod';
import { badRequest } from '#domain/errors.ts';
import { parseOr422 } from '#domain/parse.ts';
import { verifyUnsubscribeToken } from '#domain/unsubscribe-link.ts';
import { clock, store } from '#runtime/app.ts';
import { html, httpLambda } from '#runtime/http.ts';
import { logger } from '#runtime/observability.ts';
import { linkSecret } from '#runtime/secrets.ts';
import { unsubscribeContact } from '#services/contacts.ts';

const querySchema = z.object({ c: z.string().min(1).max(100), t: z.string().min(1).max(100) });

const page = (title: string, body: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
  `<title>${title}</title></head><body style="font-family:sans-serif;max-width:480px;margin:4rem auto">` +
  `<h1>${title}</h1>${body}</body></html>`;

/**
 * GET shows a confirmation page with a button (the visible link in every email); POST
 * unsubscribes: it is both the RFC 8058 one-click target and the button's action.
 */
export const handler = httpLambda(async (event) => {
  const { c: contactId, t: token } = parseOr422(querySchema, event.queryStringParameters ?? {}, 'the link');
  if (!verifyUnsubscribeToken(await linkSecret(), contactId, token)) {
    throw badRequest('invalid_link', 'this unsubscribe link is not valid');
  }
  if (event.requestContext.http.method === 'GET') {
    const action = `/unsubscribe?c=${encodeURIComponent(contactId)}&t=${encodeURIComponent(token)}`;
    return html(
      200,
      page(
        'Unsubscribe',
        `<p>Stop receiving marketing emails from us?</p><form method="post" action="${action}">` +
          '<button type="submit" name="List-Unsubscribe" value="One-Click">Unsubscribe</button></form>',
      ),
    );
  }
  const method = (event.body ?? '').includes('List-Unsubscribe=One-Click') ? 'one-click' : 'link';
  const outcome = await unsubscribeContact(store, contactId, clock.now().toISOString(), method);
  logger.info('unsubscribe', { contactId, outcome, method });
  return html(200, page('You are unsubscribed', '<p>You will not receive marketing emails from us any more.</p>'));
});

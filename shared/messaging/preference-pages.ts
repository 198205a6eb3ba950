import { topicById, topicStatuses } from '#contacts/consent.ts';
import type { Contact } from '#core/contact.ts';
import { escapeHtml } from '#core/html.ts';

/** Small, dependency-free HTML pages for the unsubscribe and preference links. */
export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#1d2330}
h1{font-size:1.5rem}label{display:block;padding:.6rem 0;border-bottom:1px solid #e5e7eb}small{color:#5b6472;display:block}
button{font:inherit;padding:.6rem 1.2rem;border:0;border-radius:.4rem;background:#1f6feb;color:#fff;cursor:pointer;margin-top:1rem}</style>
</head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

/** Confirmation page behind the visible unsubscribe link; the button POSTs to the same URL. */
export function unsubscribePage(action: string, topicId: string | undefined, preferencesUrl: string): string {
  const topic = topicId ? topicById(topicId) : undefined;
  const what = topic ? `“${escapeHtml(topic.name)}” emails` : 'all marketing emails';
  return page(
    'Unsubscribe',
    `<p>Stop receiving ${what} from us?</p>
<form method="post" action="${escapeHtml(action)}"><button type="submit" name="List-Unsubscribe" value="One-Click">Unsubscribe</button></form>
<p><a href="${escapeHtml(preferencesUrl)}">Choose which emails you get instead</a></p>`,
  );
}

export function unsubscribedPage(topicId: string | undefined, preferencesUrl: string): string {
  const topic = topicId ? topicById(topicId) : undefined;
  const what = topic ? `“${escapeHtml(topic.name)}” emails` : 'marketing emails';
  return page(
    'You are unsubscribed',
    `<p>You will not receive ${what} from us any more. Emails about your orders and account still reach you.</p>
<p><a href="${escapeHtml(preferencesUrl)}">Manage all your email preferences</a></p>`,
  );
}

/** The preference centre: one checkbox per topic and one to leave all marketing mail. */
export function preferencesPage(
  action: string,
  contact: Pick<Contact, 'email' | 'unsubscribedAt' | 'subscriptions'>,
  saved: boolean,
): string {
  const rows = topicStatuses(contact)
    .map(
      ({ topic, subscribed }) =>
        `<label><input type="checkbox" name="topic" value="${escapeHtml(topic.id)}"${subscribed ? ' checked' : ''}> ${escapeHtml(topic.name)}<small>${escapeHtml(topic.description)}</small></label>`,
    )
    .join('\n');
  return page(
    'Email preferences',
    `${saved ? '<p role="status"><strong>Your preferences are saved.</strong></p>' : ''}
<p>For ${escapeHtml(contact.email ?? 'you')}. Choose the emails you want from us.</p>
<form method="post" action="${escapeHtml(action)}">
<input type="hidden" name="form" value="preferences">
${rows}
<label><input type="checkbox" name="all" value="unsubscribe"${contact.unsubscribedAt ? ' checked' : ''}> Unsubscribe from all marketing emails<small>Emails about your orders and account still reach you.</small></label>
<button type="submit">Save preferences</button>
</form>`,
  );
}

import { escapeHtml } from '#core/html.ts';
import { CSRF_FIELD } from './csrf.ts';
import { head } from './pages.ts';

/**
 * The pages shown before sign-in, plain HTML with no script: the sign-in page (single sign-on
 * when configured, email and password, and the break-glass admin token beside them), the
 * invitation page (set a password), and the page a refused request gets. Every form carries its
 * CSRF token (./csrf.ts).
 */

const hidden = (name: string, value: string) =>
  `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;
const alert = (error?: string) => (error ? `<p class="error" role="alert">${escapeHtml(error)}</p>\n` : '');

export interface SignInForm {
  csrf: string;
  error?: string;
  /** The email typed last time, kept in the field after a refusal. */
  email?: string;
  /** A line above the form (the password was set, signed out). */
  notice?: string;
  /** The identity provider's name, when single sign-on is configured: its link comes first. */
  sso?: string;
}

/**
 * The way in through the identity provider: a link, which starts the flow (./sso.ts). Not a
 * form: the CSP's form-action 'self' also governs where a form's redirects lead, and this one
 * leads to the provider.
 */
const ssoLink = (
  name: string,
) => `<p><a class="button" href="/dashboard/sso" data-sso>Sign in with ${escapeHtml(name)}</a></p>
<p class="or"><span>or</span></p>
`;

/** The sign-in page. */
export function signInPage(form: SignInForm): string {
  return `${head('Sign in')}
<body class="sign-in">
<main>
<h1>Tend</h1>
<p>Sign in to the dashboard.</p>
${form.notice ? `<p class="notice" role="status">${escapeHtml(form.notice)}</p>\n` : ''}${alert(form.error)}${form.sso ? ssoLink(form.sso) : ''}<form method="post" action="/dashboard/sign-in" data-form="password">
${hidden(CSRF_FIELD, form.csrf)}
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" maxlength="320" required value="${escapeHtml(form.email ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" maxlength="200" required>
<button type="submit">Sign in</button>
</form>
<p class="or"><span>or</span></p>
<form method="post" action="/dashboard/sign-in" data-form="admin-token">
${hidden(CSRF_FIELD, form.csrf)}
<label for="token">Admin token</label>
<input id="token" name="token" type="password" autocomplete="off" required>
<button type="submit" class="secondary">Sign in with the admin token</button>
<p class="muted small">The break-glass way in, for when no admin can sign in. Every use is in the audit log.</p>
</form>
</main>
</body>
</html>`;
}

export interface InvitationForm {
  csrf: string;
  /** The invitation token from the link, posted back with the password. */
  token: string;
  email: string;
  name: string;
  error?: string;
}

/** The invitation page: the invited person chooses their password, then is signed in. */
export function invitationPage(form: InvitationForm): string {
  return `${head('Set your password')}
<body class="sign-in">
<main>
<h1>Welcome to Tend</h1>
<p>${escapeHtml(form.name)}, choose a password for <strong>${escapeHtml(form.email)}</strong>.</p>
${alert(form.error)}<form method="post" action="/dashboard/invitation" data-form="invitation">
${hidden(CSRF_FIELD, form.csrf)}
${hidden('token', form.token)}
<input type="email" name="username" value="${escapeHtml(form.email)}" autocomplete="username" readonly hidden>
<label for="password">New password</label>
<input id="password" name="password" type="password" autocomplete="new-password" minlength="12" maxlength="200" required>
<p class="muted small">At least 12 characters. A few unrelated words make a good one.</p>
<label for="confirm">The same password again</label>
<input id="confirm" name="confirm" type="password" autocomplete="new-password" minlength="12" maxlength="200" required>
<button type="submit">Set my password and sign in</button>
</form>
</main>
</body>
</html>`;
}

/** A refusal in words, with the way on (a 4xx page: a form from elsewhere, a dead link, a page for admins). */
export function messagePage(title: string, message: string, next: { href: string; label: string }): string {
  return `${head(title)}
<body class="sign-in">
<main>
<h1>${escapeHtml(title)}</h1>
<p class="error" role="alert">${escapeHtml(message)}</p>
<p><a href="${escapeHtml(next.href)}">${escapeHtml(next.label)}</a></p>
</main>
</body>
</html>`;
}

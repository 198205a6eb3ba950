import { escapeHtml } from '#core/html.ts';

/**
 * The dashboard's HTML: a sign-in form and one shell per page. The shell carries no data; the
 * client's entry module (`/dashboard/assets/main-<hash>.js`, see {@link ASSETS_PATH}) fetches
 * `/dashboard/data/<name>` and builds the DOM with text nodes, so contact data never passes
 * through an HTML parser.
 */

/**
 * Where the browser client's files are served (infra/dashboard-client.ts builds them): hashed
 * names, so each build's files are new URLs and may be cached for good.
 */
export const ASSETS_PATH = '/dashboard/assets/';

/** The client files a page shell loads: the entry module and the stylesheets it brings, by served name. */
export interface ShellAssets {
  entry: string;
  styles: readonly string[];
}

export const PAGES = {
  overview: 'Overview',
  journeys: 'Journeys',
  contact: 'Contact',
  segments: 'Segments',
} as const;

export type PageName = keyof typeof PAGES;

export const isPageName = (name: string): name is PageName => Object.hasOwn(PAGES, name);

/**
 * script-src 'self' and no inline code anywhere; styles only from the stylesheet (the script
 * sets a few through the CSSOM, which style-src does not govern).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const head = (title: string, links = '') => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Tend</title>
<link rel="stylesheet" href="/dashboard/app.css">
${links}</head>`;

/** The sign-in form; `error` is shown above it (escaped). */
export function signInPage(error?: string): string {
  return `${head('Sign in')}
<body class="sign-in">
<main>
<h1>Tend</h1>
<p>Sign in with the admin token.</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/dashboard/sign-in">
<label for="token">Admin token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
</main>
</body>
</html>`;
}

/** A page shell: navigation, an empty main the client fills, and the client's entry module. */
export function pageShell(page: PageName, assets: ShellAssets): string {
  const nav = Object.entries(PAGES)
    .map(([name, label]) => {
      const href = name === 'overview' ? '/dashboard' : `/dashboard/${name}`;
      const current = name === page ? ' aria-current="page"' : '';
      return `<a href="${escapeHtml(href)}"${current}>${escapeHtml(label)}</a>`;
    })
    .join('\n');
  const asset = (name: string) => escapeHtml(`${ASSETS_PATH}${name}`);
  const styles = assets.styles.map((name) => `<link rel="stylesheet" href="${asset(name)}">\n`).join('');
  return `${head(PAGES[page], styles)}
<body>
<header>
<span class="brand">Tend</span>
<nav>
${nav}
</nav>
<a class="sign-out" href="/dashboard/sign-out">Sign out</a>
</header>
<main id="app" data-page="${escapeHtml(page)}"><p class="muted">Loading…</p></main>
<script type="module" src="${asset(assets.entry)}"></script>
</body>
</html>`;
}

import { escapeHtml } from '#core/html.ts';
import { can, type Permission, type Role } from '#people/roles.ts';
import { CSRF_FIELD } from './csrf.ts';

/**
 * The dashboard's HTML: one shell per page (the pages before sign-in are in ./forms.ts). The shell carries no data; the
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
  audit: 'Audit',
} as const;

export type PageName = keyof typeof PAGES;

export const isPageName = (name: string): name is PageName => Object.hasOwn(PAGES, name);

/** What a page needs beyond a session (every role reads the others): its data answers 403 without it too. */
export const PAGE_PERMISSION: Partial<Record<PageName, Permission>> = { audit: 'audit:read' };

/** Whether a role may see a page (its link, its shell and its data). */
export const mayView = (page: PageName, role: Role): boolean => {
  const needed = PAGE_PERMISSION[page];
  return needed === undefined || can(role, needed);
};

/** Who is signed in, as the shell shows them, and the token their sign-out form carries. */
export interface Viewer {
  /** An email, or "admin token". */
  name: string;
  role: Role;
  csrf: string;
}

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

export const head = (title: string, links = '') => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Tend</title>
<link rel="stylesheet" href="/dashboard/app.css">
${links}</head>`;

/** A page shell: navigation (the pages the viewer may see), an empty main the client fills, the client's entry module. */
export function pageShell(page: PageName, assets: ShellAssets, viewer: Viewer): string {
  const nav = (Object.entries(PAGES) as [PageName, string][])
    .filter(([name]) => mayView(name, viewer.role))
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
<form class="sign-out" method="post" action="/dashboard/sign-out">
<span class="who" data-viewer-role="${escapeHtml(viewer.role)}">${escapeHtml(viewer.name)} · ${escapeHtml(viewer.role)}</span>
<input type="hidden" name="${CSRF_FIELD}" value="${escapeHtml(viewer.csrf)}">
<button type="submit" class="link">Sign out</button>
</form>
</header>
<main id="app" data-page="${escapeHtml(page)}"><p class="muted">Loading…</p></main>
<script type="module" src="${asset(assets.entry)}"></script>
</body>
</html>`;
}

import type { PageName } from '../server/pages.ts';
import { auditPage } from './audit.ts';
import { contactPage } from './contact.ts';
import { journeysPage } from './journeys.ts';
import { overviewPage } from './overview.ts';
import { segmentsPage } from './segments.ts';

/**
 * The dashboard's browser client, an ES module the page shell loads as
 * /dashboard/assets/main-<hash>.js (infra/dashboard-client.ts builds it). The page shell names
 * its page in `<main id="app" data-page>`; the script fetches that page's data and builds it
 * through the DOM (text nodes, setAttribute), so data is never parsed as markup, and draws the
 * charts as inline SVG.
 */

type Render = (app: HTMLElement, params: URLSearchParams) => void;

/** Every page the server has a shell for. */
const RENDERS: Record<PageName, Render> = {
  overview: overviewPage,
  journeys: journeysPage,
  contact: contactPage,
  segments: segmentsPage,
  audit: auditPage,
};
const PAGES = new Map<string, Render>(Object.entries(RENDERS));

const app = document.getElementById('app');
const render = app ? PAGES.get(app.getAttribute('data-page') ?? '') : undefined;
if (app && render) render(app, new URLSearchParams(location.search));

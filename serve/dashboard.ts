import { readFileSync } from 'node:fs';

/**
 * The dashboard: one static page, its script and its style (serve/static/),
 * which read the JSON API and its event stream. No build step and nothing from
 * a CDN: charts are SVG the script draws, so the pages work offline. Everything
 * from the store is put on the page as text (textContent), never as HTML. The
 * page has no inline script or style, so the Content-Security-Policy forbids both.
 */
const asset = (name: string) => readFileSync(new URL(`./static/${name}`, import.meta.url), 'utf8');

/** The dashboard's files by path, with their content types; read once, at startup. */
export const DASHBOARD_FILES: ReadonlyMap<string, { readonly type: string; readonly body: string }> = new Map([
  ['/', { type: 'text/html; charset=utf-8', body: asset('index.html') }],
  ['/dashboard.js', { type: 'text/javascript; charset=utf-8', body: asset('dashboard.js') }],
  ['/dashboard.css', { type: 'text/css; charset=utf-8', body: asset('dashboard.css') }],
]);

/**
 * Scripts and styles from this server only, data from its API only, no inline
 * script (so HTML injected despite the above could not run), no framing.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

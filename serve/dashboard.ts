/**
 * The dashboard: one static page, its script and its style, which read the JSON
 * API. No build step and no dependencies, so `kevo serve` works wherever the CLI
 * does. Everything from the store is put on the page as text (textContent), never
 * as HTML: a device label or campaign field is data, whoever wrote it. The page
 * has no inline script or style, so the server's Content-Security-Policy can
 * forbid both.
 */
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>kevo</title>
<link rel="stylesheet" href="/dashboard.css">
<script src="/dashboard.js" defer></script>
</head>
<body>
<h1>kevo</h1>
<p id="error"></p>
<h2>Campaigns</h2>
<table id="campaigns"></table>
<h2 id="detail-title"></h2>
<table id="detail"></table>
<h2>Best kernels</h2>
<form id="best-form">op <input name="op" value="matmul" size="8"> shape <input name="shape" placeholder="512x512x512" size="14">
backend <select name="backend"><option value="">any</option><option>wasm</option><option>webgpu</option></select> <button>show</button></form>
<table id="best"></table>
</body>
</html>
`;

const STYLE = `body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem; color: #222; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
th, td { padding: 0.25rem 0.75rem; border-bottom: 1px solid #ddd; text-align: left; }
a { color: #0550ae; cursor: pointer; }
code { font-size: 12px; }
#error { color: #b00; }
`;

const SCRIPT = `'use strict';
const $ = (id) => document.getElementById(id);
const fmt = (v, d = 2) => (v === undefined || v === null ? '-' : Number(v).toFixed(d));
const genome = (g) => Object.entries(g).filter(([k]) => k !== 'family' && k !== 'text').map(([k, v]) => k + '=' + v).join(' ');
function element(tag, text) {
  const node = document.createElement(tag);
  node.textContent = String(text);
  return node;
}
async function api(path) {
  const response = await fetch(path);
  const body = await response.json();
  if (!response.ok) throw new Error(body.error);
  return body;
}
// A cell is a Node (a link, a <code>) or a value shown as text.
function rows(table, header, items) {
  const head = document.createElement('thead');
  head.insertRow().append(...header.map((h) => element('th', h)));
  const body = document.createElement('tbody');
  for (const cells of items) {
    const row = body.insertRow();
    for (const cell of cells) row.insertCell().append(cell instanceof Node ? cell : String(cell));
  }
  $(table).replaceChildren(head, body);
}
async function showCampaign(id) {
  const c = await api('/api/campaigns/' + encodeURIComponent(id));
  $('detail-title').textContent = 'Campaign ' + c.id + ' (' + c.status + ')';
  rows('detail', ['kernel', 'speedup', 'GFLOP/s', 'median ms', 'genome'],
    c.best.map((e) => [e.kernelId, fmt(e.timing.speedup) + 'x', fmt(e.timing.gflops, 1), fmt(e.timing.medianMs, 3), element('code', genome(e.genome))]));
}
function campaignLink(id) {
  const link = element('a', id);
  link.addEventListener('click', () => showCampaign(id).catch(fail));
  return link;
}
async function load() {
  const campaigns = await api('/api/campaigns');
  rows('campaigns', ['id', 'status', 'strategy', 'evaluations', 'failures', 'best speedup', 'its GFLOP/s'],
    campaigns.map((c) => [campaignLink(c.id), c.status, c.strategy, c.evaluations, c.failures, fmt(c.bestSpeedup), fmt(c.bestGflops, 1)]));
}
function fail(error) { $('error').textContent = String(error.message ?? error); }
$('best-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const query = new URLSearchParams([...new FormData(event.target)].filter(([, v]) => v !== ''));
  api('/api/best?' + query).then((best) => rows('best', ['kernel', 'speedup', 'GFLOP/s', 'median ms', 'err/tol', 'device', 'genome'],
    best.map((b) => [b.kernelId, fmt(b.speedup) + 'x', fmt(b.gflops, 1), fmt(b.medianMs, 3), fmt(b.measuredError?.ofTolerance, 3), b.deviceClass.label, element('code', genome(b.genome))]))).catch(fail);
});
load().catch(fail);
`;

/** The dashboard's files by path, with their content types. */
export const DASHBOARD_FILES: ReadonlyMap<string, { readonly type: string; readonly body: string }> = new Map([
  ['/', { type: 'text/html; charset=utf-8', body: PAGE }],
  ['/dashboard.js', { type: 'text/javascript; charset=utf-8', body: SCRIPT }],
  ['/dashboard.css', { type: 'text/css; charset=utf-8', body: STYLE }],
]);

/**
 * Scripts and styles from this server only, data from its API only, no inline
 * script (so HTML injected despite the above could not run), no framing.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * The dashboard: one static page that reads the JSON API. No build step and no
 * dependencies, so `kevo serve` works wherever the CLI does.
 */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>kevo</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem; color: #222; }
  table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
  th, td { padding: 0.25rem 0.75rem; border-bottom: 1px solid #ddd; text-align: left; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  a { color: #0550ae; cursor: pointer; }
  code { font-size: 12px; }
  #error { color: #b00; }
</style>
</head>
<body>
<h1>kevo</h1>
<p id="error"></p>
<h2>Campaigns</h2>
<table id="campaigns"><thead><tr><th>id</th><th>status</th><th>strategy</th><th>evaluations</th><th>failures</th><th>best GFLOP/s</th><th>best speedup</th></tr></thead><tbody></tbody></table>
<h2 id="detail-title"></h2>
<table id="detail"><tbody></tbody></table>
<h2>Best kernels</h2>
<form id="best-form">op <input name="op" value="matmul" size="8"> shape <input name="shape" placeholder="512x512x512" size="14">
backend <select name="backend"><option value="">any</option><option>wasm</option><option>webgpu</option></select> <button>show</button></form>
<table id="best"><tbody></tbody></table>
<script>
const $ = (id) => document.getElementById(id);
const fmt = (v, d = 2) => (v === undefined || v === null ? '-' : Number(v).toFixed(d));
const genome = (g) => Object.entries(g).filter(([k]) => k !== 'family' && k !== 'text').map(([k, v]) => k + '=' + v).join(' ');
async function api(path) {
  const response = await fetch(path);
  const body = await response.json();
  if (!response.ok) throw new Error(body.error);
  return body;
}
function rows(table, header, items) {
  const body = header.map((h) => '<th>' + h + '</th>').join('');
  $(table).innerHTML = '<thead><tr>' + body + '</tr></thead><tbody>' + items.map((cells) => '<tr>' + cells.map((c) => '<td>' + c + '</td>').join('') + '</tr>').join('') + '</tbody>';
}
async function showCampaign(id) {
  const c = await api('/api/campaigns/' + encodeURIComponent(id));
  $('detail-title').textContent = 'Campaign ' + c.id + ' (' + c.status + ')';
  rows('detail', ['kernel', 'speedup', 'GFLOP/s', 'median ms', 'genome'], c.best.map((e) => [e.kernelId, fmt(e.timing.speedup) + 'x', fmt(e.timing.gflops, 1), fmt(e.timing.medianMs, 3), '<code>' + genome(e.genome) + '</code>']));
}
async function load() {
  const campaigns = await api('/api/campaigns');
  rows('campaigns', ['id', 'status', 'strategy', 'evaluations', 'failures', 'best speedup', 'its GFLOP/s'],
    campaigns.map((c) => ['<a data-id="' + c.id + '">' + c.id + '</a>', c.status, c.strategy, c.evaluations, c.failures, fmt(c.bestSpeedup), fmt(c.bestGflops, 1)]));
  document.querySelectorAll('#campaigns a').forEach((a) => a.addEventListener('click', () => showCampaign(a.dataset.id).catch(fail)));
}
function fail(error) { $('error').textContent = String(error.message ?? error); }
$('best-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const query = new URLSearchParams([...new FormData(event.target)].filter(([, v]) => v !== ''));
  api('/api/best?' + query).then((best) => rows('best', ['kernel', 'speedup', 'GFLOP/s', 'median ms', 'err/tol', 'device', 'genome'],
    best.map((b) => [b.kernelId, fmt(b.speedup) + 'x', fmt(b.gflops, 1), fmt(b.medianMs, 3), fmt(b.measuredError?.ofTolerance, 3), b.deviceClass.label, '<code>' + genome(b.genome) + '</code>']))).catch(fail);
});
load().catch(fail);
</script>
</body>
</html>
`;

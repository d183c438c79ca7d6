'use strict';
// kevo's dashboard. Everything from the store goes on the page as text (textContent, SVG attributes),
// never as HTML: a device label or a campaign id is data, whoever wrote it. Charts are SVG drawn here.
const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';
const COLORS = ['#0969da', '#cf222e', '#1a7f37', '#8250df', '#bc4c00', '#1b7c83', '#bf3989', '#57606a'];
const fmt = (v, d = 2) => (v === undefined || v === null ? '-' : Number(v).toFixed(d));
const short = (id) => String(id).slice(0, 10);
const GENE_SKIP = new Set(['family', 'text', 'backend', 'op']);
const genes = (g) => Object.entries(g).filter(([k]) => !GENE_SKIP.has(k));
const genomeText = (g) => (g ? genes(g).map(([k, v]) => k + '=' + v).join(' ') : '-');

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}
function link(text, href) {
  const a = element('a', text);
  a.href = href;
  return a;
}
function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = String(text);
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
function fail(error) { $('error').textContent = String(error.message ?? error); }

// ---- charts -------------------------------------------------------------------------------
const ticks = (lo, hi, n = 4) => Array.from({ length: n + 1 }, (_, i) => lo + ((hi - lo) * i) / n);
const extent = (values) => {
  const lo = Math.min(...values), hi = Math.max(...values);
  return lo === hi ? [lo - 1, hi + 1] : [lo, hi];
};
/** Axes, grid and labels for a plot of [x0,x1] x [y0,y1]; returns the svg and the scales. */
function frame(width, height, [x0, x1], [y0, y1], xLabel, yLabel, xTicks = true) {
  const m = { l: 44, r: 12, t: 24, b: 34 };
  const sx = (x) => m.l + ((x - x0) / (x1 - x0)) * (width - m.l - m.r);
  const sy = (y) => height - m.b - ((y - y0) / (y1 - y0)) * (height - m.t - m.b);
  const root = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img' });
  for (const y of ticks(y0, y1)) {
    root.append(svg('line', { class: 'grid', x1: m.l, x2: width - m.r, y1: sy(y), y2: sy(y) }));
    root.append(svg('text', { x: m.l - 4, y: sy(y) + 4, 'text-anchor': 'end' }, fmt(y, y1 - y0 < 5 ? 2 : y1 - y0 < 20 ? 1 : 0)));
  }
  if (xTicks) for (const x of ticks(x0, x1)) root.append(svg('text', { x: sx(x), y: height - m.b + 14, 'text-anchor': 'middle' }, fmt(x, 0)));
  root.append(svg('line', { class: 'axis', x1: m.l, x2: width - m.r, y1: height - m.b, y2: height - m.b }));
  root.append(svg('line', { class: 'axis', x1: m.l, x2: m.l, y1: m.t, y2: height - m.b }));
  root.append(svg('text', { x: (m.l + width - m.r) / 2, y: height - 4, 'text-anchor': 'middle' }, xLabel));
  root.append(svg('text', { x: 6, y: 14, 'text-anchor': 'start' }, yLabel));
  return { root, sx, sy, right: width - m.r, bottom: height - m.b };
}
/** The best ok speedup after each evaluation: a step line that only rises. */
function bestSoFar(evaluations) {
  const points = [];
  let best;
  evaluations.forEach((e, i) => {
    const s = e.status === 'ok' && e.timing ? e.timing.speedup : undefined;
    if (s !== undefined && (best === undefined || s > best)) best = s;
    if (best !== undefined) points.push([i + 1, best]);
  });
  return points;
}
function lineChart(target, series, width = 520, height = 240) {
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return $(target).replaceChildren(element('p', 'no ok evaluation yet', 'note'));
  const { root, sx, sy, right, bottom } = frame(width, height, [0, Math.max(...all.map((p) => p[0]))], [0, Math.max(...all.map((p) => p[1])) * 1.1], 'evaluations', 'best speedup (x)');
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const d = s.points.map(([x, y], j) => (j === 0 ? `M${sx(x)},${sy(y)}` : `H${sx(x)}V${sy(y)}`)).join('');
    root.append(svg('path', { d, fill: 'none', stroke: color, 'stroke-width': 2, class: 'series' }));
    // Bottom right: a best-so-far line only rises, so that corner stays clear.
    root.append(svg('text', { x: right - 6, y: bottom - 8 - 14 * (series.length - 1 - i), fill: color, 'text-anchor': 'end' }, s.name + '  ' + fmt(s.points.at(-1)?.[1]) + 'x'));
  });
  $(target).replaceChildren(root);
}
/** One small scatter per gene: its values (numbers, or categories in order seen) against speedup. */
function geneScatters(target, evaluations) {
  const ok = evaluations.filter((e) => e.status === 'ok' && e.timing);
  if (ok.length === 0) return $(target).replaceChildren(element('p', 'no ok evaluation yet', 'note'));
  const names = [...new Set(ok.flatMap((e) => genes(e.genome).map(([k]) => k)))];
  const yRange = [0, Math.max(...ok.map((e) => e.timing.speedup)) * 1.1];
  const plots = names.map((name) => {
    const values = ok.map((e) => e.genome[name]).filter((v) => v !== undefined);
    // A gene with few values (most are) reads best as categories, in order.
    const distinct = [...new Set(values)].sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : 0));
    const numeric = distinct.length > 8 && values.every((v) => typeof v === 'number');
    const categories = numeric ? [] : distinct.map(String);
    const x = (v) => (numeric ? v : categories.indexOf(String(v)));
    const xRange = numeric ? extent(values) : [-0.5, categories.length - 0.5];
    const { root, sx, sy } = frame(220, 170, xRange, yRange, name, 'speedup (x)', numeric);
    if (!numeric) categories.forEach((c, i) => root.append(svg('text', { x: sx(i), y: 150, 'text-anchor': 'middle' }, c.slice(0, 10))));
    for (const e of ok) {
      if (e.genome[name] === undefined) continue;
      root.append(svg('circle', { cx: sx(x(e.genome[name])), cy: sy(e.timing.speedup), r: 3.5, fill: COLORS[0], 'fill-opacity': 0.55, class: 'dot' }));
    }
    return root;
  });
  $(target).replaceChildren(...plots);
}

// ---- pages ----------------------------------------------------------------------------------
let stream;
let poll;
function show(section) {
  for (const id of ['home', 'campaign', 'kernel']) $(id).hidden = id !== section;
  stream?.close();
  stream = undefined;
  clearInterval(poll);
  $('live').textContent = '';
  $('error').textContent = '';
}
const campaignLink = (id) => link(id, '#/campaign/' + encodeURIComponent(id));
const kernelLink = (id) => link(short(id), '#/kernel/' + encodeURIComponent(id));

async function campaignList() {
  const campaigns = await api('/api/campaigns');
  rows('campaigns', ['id', 'status', 'strategy', 'evaluations', 'failures', 'best speedup', 'its GFLOP/s'],
    campaigns.map((c) => [campaignLink(c.id), c.status, c.strategy, c.evaluations, c.failures, fmt(c.bestSpeedup), fmt(c.bestGflops, 1)]));
  return campaigns;
}
async function home() {
  show('home');
  const campaigns = await campaignList();
  // The list's counts follow the campaigns every few seconds; a campaign's own page is the live one.
  poll = setInterval(() => campaignList().catch(fail), 3000);
  const recent = await Promise.all(campaigns.slice(0, COLORS.length).map((c) => api('/api/campaigns/' + encodeURIComponent(c.id))));
  lineChart('compare', recent.map((c) => ({ name: c.id + ' (' + c.strategy + ')', points: bestSoFar(c.evaluationsList) })), 720, 260);
}

function tile(label, value, extra) {
  const t = element('div', undefined, 'tile');
  t.append(element('div', value, 'value'), element('div', label, 'label'));
  if (extra) t.append(extra);
  return t;
}
const perMinute = (evaluations) => {
  const recent = evaluations.slice(-50).map((e) => Date.parse(e.createdAt));
  const span = (recent.at(-1) - recent[0]) / 60_000;
  return recent.length > 1 && span > 0 ? (recent.length - 1) / span : undefined;
};
function renderCampaign(state) {
  const { campaign: c, evaluations, devices } = state;
  $('detail-title').textContent = 'Campaign ' + c.id + ' (' + c.status + ')';
  const budget = c.spec?.budget?.evaluations;
  const bar = document.createElement('progress');
  bar.max = budget ?? 1;
  bar.value = budget ? evaluations.length : 0;
  const failures = new Map();
  for (const e of evaluations) if (e.status !== 'ok') failures.set(e.stage ?? e.status, (failures.get(e.stage ?? e.status) ?? 0) + 1);
  const failureText = [...failures].map(([stage, n]) => stage + ' ' + n).join(', ') || 'none';
  $('progress').replaceChildren(
    tile('evaluations' + (budget ? ' of ' + budget : ''), evaluations.length, budget ? bar : undefined),
    tile('failures by stage: ' + failureText, evaluations.length - evaluations.filter((e) => e.status === 'ok').length),
    tile('evaluations per minute', fmt(perMinute(evaluations), 1)),
    tile('best speedup', fmt(c.bestSpeedup) + 'x'),
    tile('strategy', c.strategy),
  );
  lineChart('best-chart', [{ name: c.id, points: bestSoFar(evaluations) }]);
  geneScatters('genes', evaluations);
  const workers = new Map();
  for (const e of evaluations) workers.set(e.worker, [...(workers.get(e.worker) ?? []), e]);
  rows('workers', ['worker', 'device class', 'jobs', 'jobs/s'], [...workers].map(([name, list]) => {
    const last = Date.parse(list.at(-1).createdAt);
    const recent = list.filter((e) => last - Date.parse(e.createdAt) <= 60_000);
    const span = (last - Date.parse(recent[0].createdAt)) / 1000;
    return [name, devices.get(list.at(-1).deviceClassId) ?? '-', list.length, span > 0 ? fmt((recent.length - 1) / span) : '-'];
  }));
  // Best as the server defines it (coordinator/store/best.ts), sent with each change of the campaign.
  rows('detail', ['kernel', 'speedup', 'GFLOP/s', 'median ms', 'err/tol', 'genome'],
    c.best.map((e) => [kernelLink(e.kernelId), fmt(e.timing.speedup) + 'x', fmt(e.timing.gflops, 1), fmt(e.timing.medianMs, 3), fmt(e.measuredError?.ofTolerance, 3), element('code', genomeText(e.genome))]));
}
async function campaignPage(id) {
  show('campaign');
  const [c, devices] = await Promise.all([api('/api/campaigns/' + encodeURIComponent(id)), api('/api/devices')]);
  const { evaluationsList, ...campaign } = c;
  const state = { campaign, evaluations: evaluationsList, devices: new Map(devices.map((d) => [d.id, d.label])) };
  renderCampaign(state);
  // Live: the server pushes each evaluation as the campaign stores it; redraw at most once a frame.
  const after = evaluationsList.at(-1)?.id ?? 0;
  stream = new EventSource('/api/campaigns/' + encodeURIComponent(id) + '/events?after=' + after);
  let pending = false;
  const redraw = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; renderCampaign(state); });
  };
  stream.addEventListener('open', () => { $('live').textContent = '● live'; });
  stream.addEventListener('error', () => { $('live').textContent = 'reconnecting…'; });
  stream.addEventListener('evaluation', (event) => {
    const e = JSON.parse(event.data);
    if (e.id > (state.evaluations.at(-1)?.id ?? 0)) state.evaluations.push(e);
    if (e.deviceClassId && !state.devices.has(e.deviceClassId)) api('/api/devices').then((d) => { state.devices = new Map(d.map((x) => [x.id, x.label])); redraw(); }).catch(fail);
    redraw();
  });
  stream.addEventListener('campaign', (event) => { state.campaign = JSON.parse(event.data); redraw(); });
  stream.addEventListener('failure', (event) => fail(new Error(JSON.parse(event.data).error)));
  await liveWorkers();
}

/** With `kevo serve --nats`: the workers' heartbeats every 2 s, jobs per second from their jobsDone between two reads. */
async function liveWorkers() {
  const first = await api('/api/workers');
  if (first.source !== 'nats') return;
  $('live-workers-box').hidden = false;
  let previous = new Map();
  const draw = ({ workers }) => {
    const now = Date.now();
    rows('live-workers', ['worker', 'device classes', 'backends', 'threads', 'jobs done', 'jobs/s'], workers.map((w) => {
      const before = previous.get(w.name);
      const rate = before ? (w.jobsDone - before.jobsDone) / ((now - before.at) / 1000) : undefined;
      return [w.name, w.deviceClasses.map((d) => d.label).join('; '), w.backends.join(', '), w.threads, w.jobsDone, fmt(rate)];
    }));
    previous = new Map(workers.map((w) => [w.name, { jobsDone: w.jobsDone, at: now }]));
  };
  draw(first);
  poll = setInterval(() => api('/api/workers').then(draw).catch(fail), 2000);
}

function lineageTree(steps) {
  const byHash = new Map(steps.map((s) => [s.hash, s]));
  const drawn = new Set();
  const node = (hash) => {
    const step = byHash.get(hash);
    const li = element('li', undefined, 'lineage-node');
    li.append(element('span', step?.operator ?? 'unknown', 'op'), element('code', short(hash)), ' ', element('code', genomeText(step?.genome)));
    if (drawn.has(hash)) return li.append(' (shown above)'), li;
    drawn.add(hash);
    const parents = step?.parents ?? [];
    if (parents.length > 0) {
      const ul = document.createElement('ul');
      ul.append(...parents.map(node));
      li.append(ul);
    }
    return li;
  };
  const root = document.createElement('ul');
  if (steps.length > 0) root.append(node(steps[0].hash));
  const box = element('div', undefined, 'lineage');
  box.append(root);
  return box;
}
async function kernelPage(id) {
  show('kernel');
  const k = await api('/api/kernels/' + encodeURIComponent(id));
  const e = k.evaluation;
  const t = e?.timing;
  $('kernel-title').textContent = 'Kernel ' + k.id + ' (' + (k.language === 'wat' ? 'WebAssembly text' : 'WGSL') + ')';
  rows('kernel-facts', ['', ''], [
    ['campaign', e ? campaignLink(e.campaignId) : '-'],
    ['genome', element('code', genomeText(e?.genome))],
    ['device class', k.deviceClass?.label ?? '-'],
    ['status', e ? e.status + (e.stage ? ' at ' + e.stage : '') + (e.reason ? ': ' + e.reason : '') : '-'],
    ['median', t ? fmt(t.medianMs, 3) + ' ms (p10 ' + fmt(t.p10Ms, 3) + ', p90 ' + fmt(t.p90Ms, 3) + ', ' + t.samples + ' samples)' : '-'],
    ['speed', t ? fmt(t.speedup) + 'x the baseline (' + fmt(t.baselineMedianMs, 3) + ' ms), ' + fmt(t.gflops, 1) + ' GFLOP/s' : '-'],
    ['measured error', e?.measuredError ? fmt(e.measuredError.ofTolerance, 3) + ' of the tolerance (max abs ' + e.measuredError.maxAbs.toExponential(2) + ', max rel ' + e.measuredError.maxRel.toExponential(2) + ')' : '-'],
  ]);
  rows('verdicts', ['stage', 'verdict', 'ms', 'reason'], (e?.verdicts ?? []).map((v) =>
    [v.stage, element('span', v.ok ? 'pass' : 'fail', v.ok ? 'ok' : 'bad'), fmt(v.ms, 1), v.reason ?? '']));
  $('reviews').replaceChildren(...(k.reviews.length === 0 ? [element('p', 'not reviewed by an LLM', 'note')] : k.reviews.map((r) =>
    element('p', r.verdict + (r.gate ? ' (gate)' : '') + (r.suspectedLoophole ? '; suspected loophole: ' + r.suspectedLoophole : '') + (r.reasons.length ? ': ' + r.reasons.join('; ') : '')))));
  $('lineage').replaceChildren(lineageTree(k.lineage));
  $('source').textContent = k.text;
  $('exports').replaceChildren(element('li', 'preparing…'));
  const files = await api('/api/kernels/' + encodeURIComponent(k.id) + '/export').catch((error) => [String(error.message)]);
  $('exports').replaceChildren(...files.map((name) => {
    const li = document.createElement('li');
    const a = link(name, '/api/kernels/' + encodeURIComponent(k.id) + '/export/' + encodeURIComponent(name));
    a.setAttribute('download', name);
    li.append(a);
    return li;
  }));
}

function route() {
  const [, page, id] = location.hash.split('/');
  const go = page === 'campaign' && id ? campaignPage(decodeURIComponent(id)) : page === 'kernel' && id ? kernelPage(decodeURIComponent(id)) : home();
  go.catch(fail);
}
$('best-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const query = new URLSearchParams([...new FormData(event.target)].filter(([, v]) => v !== ''));
  api('/api/best?' + query).then((best) => rows('best', ['kernel', 'speedup', 'GFLOP/s', 'median ms', 'err/tol', 'device', 'genome'],
    best.map((b) => [kernelLink(b.kernelId), fmt(b.speedup) + 'x', fmt(b.gflops, 1), fmt(b.medianMs, 3), fmt(b.measuredError?.ofTolerance, 3), b.deviceClass.label, element('code', genomeText(b.genome))]))).catch(fail);
});
window.addEventListener('hashchange', route);
route();

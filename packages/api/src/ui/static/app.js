/* global document, window, localStorage, fetch, URLSearchParams, setTimeout, clearTimeout */
// The flowline web UI: a dependency-free single page over the native /v1 API.
// Plain ES module served as is, so there is no build step to run or to forget.

const TOKEN_KEY = 'flowline.token';
const TERMINAL = ['SUCCESS', 'FAIL', 'INTERNAL_ERROR', 'TIMEOUT', 'CANCEL', 'SKIP'];
const STATUSES = ['INIT', 'WAIT', 'READY', 'RUNNING', 'SUSPEND', 'SUCCESS', 'FAIL', 'INTERNAL_ERROR', 'TIMEOUT', 'CANCEL', 'RERUN', 'SKIP'];
const LIGHT = ['SKIP', 'READY', 'WAIT', 'INIT', 'RERUN'];
const SKIPPABLE = ['INIT', 'WAIT', 'READY', 'SUSPEND'];
const POLL_MS = 1000;

const view = document.getElementById('view');
/** The logged-in principal (GET /v1/whoami); readers (and metrics scrapers) are shown no buttons their role would be refused. */
let caller;
const OPERATING_ROLES = ['operator', 'admin', 'superadmin'];
const canOperate = () => OPERATING_ROLES.includes(caller?.role);
const canAdminister = () => ['admin', 'superadmin'].includes(caller?.role);
const notice = document.getElementById('notice');
let pollTimer;

const esc = (value) =>
  String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const badge = (status) => `<span class="badge ${esc(status)}" style="background:var(--${esc(status)})">${esc(status)}</span>`;
const time = (iso) => (iso ? new Date(iso).toLocaleString() : '-');
function duration(from, to) {
  if (!from) return '-';
  const ms = (to ? Date.parse(to) : Date.now()) - Date.parse(from);
  if (ms < 1000) return `${ms} ms`;
  return ms < 60000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.floor(ms / 60000)}m${String(Math.floor((ms % 60000) / 1000)).padStart(2, '0')}s`;
}

function showNotice(message) {
  notice.textContent = message;
  notice.hidden = !message;
}

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    // x-flowline-surface: the audit trail records the UI's calls as the UI's.
    headers: { authorization: `Bearer ${localStorage.getItem(TOKEN_KEY) ?? ''}`, 'x-flowline-surface': 'ui', ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  const parsed = text ? JSON.parse(text) : undefined;
  if (response.status === 401) {
    localStorage.removeItem(TOKEN_KEY);
    caller = undefined;
    window.location.hash = '#/login';
    throw new ApiError(401, parsed?.error?.code ?? 'UNAUTHENTICATED', 'your token was refused; log in again');
  }
  if (!response.ok) throw new ApiError(response.status, parsed?.error?.code ?? 'HTTP_ERROR', parsed?.error?.message ?? `${method} ${path}: ${response.status}`);
  return parsed;
}

/** Runs `load` now and every POLL_MS until the route changes or it returns false. */
function poll(load) {
  const tick = async () => {
    let again = true;
    try {
      again = (await load()) !== false;
    } catch (error) {
      showNotice(error.message);
    }
    if (again) pollTimer = setTimeout(tick, POLL_MS);
  };
  tick();
}

// ---------- login ----------
function renderLogin() {
  view.innerHTML = `
    <div class="card login">
      <h1>Log in</h1>
      <p class="muted">Paste a bearer token: FLOWLINE_ADMIN_TOKEN, or one issued with <code>flowline credentials create</code>.</p>
      <form id="login-form">
        <label>Token <input id="token" type="password" autocomplete="off" required></label>
        <p><button type="submit">Log in</button></p>
      </form>
    </div>`;
  document.getElementById('login-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    localStorage.setItem(TOKEN_KEY, document.getElementById('token').value.trim());
    caller = undefined;
    try {
      await api('GET', '/v1/runs?limit=1');
      showNotice('');
      window.location.hash = '#/runs';
    } catch (error) {
      showNotice(error.message);
    }
  });
}

// ---------- run list ----------
async function renderRuns(params) {
  const definitions = (await api('GET', '/v1/definitions')).items;
  const options = definitions.map((d) => `<option ${params.get('workflow') === d.name ? 'selected' : ''}>${esc(d.name)}</option>`).join('');
  view.innerHTML = `
    <div class="card" ${canOperate() ? '' : 'hidden'}>
      <h1>Start a run</h1>
      <form id="start-form" class="inline">
        <label>Workflow <select id="start-workflow">${definitions.map((d) => `<option>${esc(d.name)}</option>`).join('')}</select></label>
        <label>Biz id <input id="start-biz" placeholder="optional"></label>
        <label>Input (JSON) <input id="start-input" placeholder='optional, e.g. {"cluster":"c1"}'></label>
        <button type="submit" id="start-run">Start</button>
      </form>
    </div>
    <div class="card">
      <form id="filters" class="inline">
        <label>Workflow <select name="workflow"><option value="">all</option>${options}</select></label>
        <label>Status <select name="status"><option value="">all</option>${STATUSES.map((s) => `<option ${params.get('status') === s ? 'selected' : ''}>${s}</option>`).join('')}</select></label>
        <label>Biz id <input name="bizId" value="${esc(params.get('bizId') ?? '')}"></label>
        <button type="submit" class="secondary">Filter</button>
      </form>
    </div>
    <div class="card" id="bulk" ${canOperate() && (params.get('workflow') || params.get('status')) ? '' : 'hidden'}>
      <h2>Every run this filter selects</h2>
      <p class="muted">By workflow and status: one bulk operation, worked off in batches.</p>
      <div class="actions">
        <button class="danger" data-bulk="cancel">Cancel all</button>
        <button class="secondary" data-bulk="rerun">Rerun all</button>
        <button class="secondary" data-bulk="resume">Resume all</button>
      </div>
      <div id="bulk-progress"></div>
    </div>
    <table id="runs"><thead><tr><th>Run</th><th>Workflow</th><th>Status</th><th>Biz id</th><th>Started</th><th>Took</th></tr></thead><tbody></tbody></table>
    <p class="pager" id="pager"></p>`;
  for (const button of document.querySelectorAll('button[data-bulk]')) button.onclick = () => runBulk(button.dataset.bulk, params);
  document.getElementById('filters').addEventListener('submit', (event) => {
    event.preventDefault();
    const query = new URLSearchParams([...new window.FormData(event.target)].filter(([, v]) => v));
    window.location.hash = `#/runs?${query}`;
  });
  document.getElementById('start-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const bizId = document.getElementById('start-biz').value.trim();
    const input = document.getElementById('start-input').value.trim();
    try {
      // A workflow with an input schema refuses a start whose input fails it: the notice names the field.
      const run = await api('POST', '/v1/runs', {
        workflow: document.getElementById('start-workflow').value,
        ...(bizId ? { bizId } : {}),
        ...(input ? { input: JSON.parse(input) } : {}),
      });
      window.location.hash = `#/runs/${run.id}`;
    } catch (error) {
      showNotice(error.message);
    }
  });
  const query = new URLSearchParams(params);
  if (!query.has('limit')) query.set('limit', '50');
  // Keyset pages: the API's nextCursor, carried in the URL so back/forward and reloads keep the page.
  const page = (cursor) => {
    const next = new URLSearchParams(params);
    if (cursor) next.set('cursor', cursor);
    else next.delete('cursor');
    return `#/runs?${next}`;
  };
  poll(async () => {
    const { items, nextCursor } = await api('GET', `/v1/runs?${query}`);
    document.getElementById('pager').innerHTML = [
      params.get('cursor') ? `<a id="newest" href="${esc(page(undefined))}">← newest</a>` : '',
      nextCursor ? `<a id="older" href="${esc(page(nextCursor))}">older runs →</a>` : '',
    ].join(' ');
    document.querySelector('#runs tbody').innerHTML =
      items
        .map(
          (r) => `<tr class="clickable" data-run="${esc(r.id)}"><td><code>${esc(r.id)}</code></td><td>${esc(r.workflow)}</td>
            <td>${badge(r.status)}${r.cancelRequested && !r.endTime ? ' <span class="muted">cancelling</span>' : ''}</td>
            <td>${esc(r.bizId)}</td><td>${time(r.startTime ?? r.createdAt)}</td><td>${duration(r.startTime, r.endTime)}</td></tr>`,
        )
        .join('') || '<tr><td colspan="6" class="muted">no runs</td></tr>';
    for (const row of document.querySelectorAll('#runs tr[data-run]')) row.onclick = () => (window.location.hash = `#/runs/${row.dataset.run}`);
  });
}

// ---------- bulk operations ----------
const progressBar = (done, total) => `<progress max="${Math.max(total, 1)}" value="${done}"></progress>`;

/** Asks for a bulk operation over the runs the list's filter selects, then follows its progress in the card. */
async function runBulk(action, params) {
  const filter = { ...(params.get('workflow') ? { workflow: params.get('workflow') } : {}), ...(params.get('status') ? { status: params.get('status') } : {}) };
  if (!window.confirm(`${action} every run with ${Object.entries(filter).map(([k, v]) => `${k} ${v}`).join(' and ')}?`)) return;
  try {
    const started = await api('POST', `/v1/runs:${action}`, { filter });
    const box = document.getElementById('bulk-progress');
    const draw = async () => {
      const op = await api('GET', `/v1/bulk-operations/${encodeURIComponent(started.id)}`);
      if (!box.isConnected) return;
      box.innerHTML = `<p id="bulk-status" data-status="${esc(op.status)}">${progressBar(op.processed, op.total)} ${op.processed}/${op.total} runs ·
        ${op.succeeded} done, ${op.skipped} skipped, ${op.failed} failed · <b>${esc(op.status)}</b></p>
        ${op.errors.map((e) => `<p class="muted"><code>${esc(e.runId)}</code> ${esc(e.code)}: ${esc(e.message)}</p>`).join('')}`;
      if (op.status === 'RUNNING') setTimeout(draw, 300);
    };
    await draw();
  } catch (error) {
    showNotice(error.message);
  }
}

// ---------- run detail ----------
/** Columns by longest path from a root; rows in declaration order. */
function layoutDag(nodes, parentsOf) {
  const layer = new Map();
  const depth = (name, seen = new Set()) => {
    if (layer.has(name)) return layer.get(name);
    if (seen.has(name)) return 0;
    seen.add(name);
    const d = Math.max(-1, ...(parentsOf.get(name) ?? []).map((p) => depth(p, seen))) + 1;
    layer.set(name, d);
    return d;
  };
  const rows = new Map();
  const at = new Map();
  for (const n of nodes) {
    const column = depth(n.name);
    const row = rows.get(column) ?? 0;
    rows.set(column, row + 1);
    at.set(n.name, { column, row });
  }
  return { at, columns: Math.max(1, ...[...rows.keys()].map((c) => c + 1)), rows: Math.max(1, ...rows.values()) };
}

/** A map's elements drawn in the DAG, after their map; past these its box counts them (the table and timeline list them all). */
const DAG_ELEMENTS = 12;

/** Per map node: how many elements it has and how many have ended. */
function elementCounts(nodes) {
  const counts = new Map();
  for (const n of nodes) {
    if (n.mapOf === null || n.mapOf === undefined) continue;
    const c = counts.get(n.mapOf) ?? { total: 0, ended: 0 };
    c.total++;
    if (TERMINAL.includes(n.status)) c.ended++;
    counts.set(n.mapOf, c);
  }
  return counts;
}

function dagSvg(run, parentsOf) {
  const W = 170, H = 36, GX = 60, GY = 18;
  const counts = elementCounts(run.nodes);
  const nodes = run.nodes.filter((n) => n.index === null || n.index === undefined || n.index < DAG_ELEMENTS);
  const { at, columns, rows } = layoutDag(nodes, parentsOf);
  const x = (name) => 10 + at.get(name).column * (W + GX);
  const y = (name) => 10 + at.get(name).row * (H + GY);
  const edges = nodes.flatMap((n) =>
    (parentsOf.get(n.name) ?? []).filter((p) => at.has(p)).map((p) => {
      const [x1, y1, x2, y2] = [x(p) + W, y(p) + H / 2, x(n.name), y(n.name) + H / 2];
      return `<path d="M${x1},${y1} C${x1 + GX / 2},${y1} ${x2 - GX / 2},${y2} ${x2},${y2}" fill="none" stroke="#94a3b8" stroke-width="1.5" marker-end="url(#arrow)"/>`;
    }),
  );
  const boxes = nodes.map(
    (n) => `<g class="dag-node ${LIGHT.includes(n.status) ? 'light' : ''}" data-node="${esc(n.name)}" data-status="${esc(n.status)}" data-skip-requested="${n.skipRequested ? 'true' : 'false'}">
      <title>${esc(n.name)}: ${esc(n.status)}</title>
      <rect x="${x(n.name)}" y="${y(n.name)}" width="${W}" height="${H}" rx="7" style="fill:var(--${esc(n.status)})"/>
      <text x="${x(n.name) + 10}" y="${y(n.name) + 15}">${esc(n.name.length > 20 ? `${n.name.slice(0, 19)}…` : n.name)}</text>
      <text x="${x(n.name) + 10}" y="${y(n.name) + 29}" style="font-weight:400;font-size:11px">${esc(n.status)}${n.skipRequested ? ' · to skip' : ''}${counts.has(n.name) ? ` · ${counts.get(n.name).ended}/${counts.get(n.name).total} elements` : ''}</text></g>`,
  );
  const width = 20 + columns * W + (columns - 1) * GX;
  const height = 20 + rows * H + (rows - 1) * GY;
  return `<svg id="dag" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="DAG of the run">
    <defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#94a3b8"/></marker></defs>
    ${edges.join('')}${boxes.join('')}</svg>`;
}

function ganttSvg(run) {
  const started = run.nodes.filter((n) => n.startedAt);
  if (started.length === 0) return '<p class="muted">no node has started yet</p>';
  const t0 = Math.min(...started.map((n) => Date.parse(n.startedAt)));
  const t1 = Math.max(...started.map((n) => (n.endedAt ? Date.parse(n.endedAt) : Date.now())), t0 + 1);
  const LABEL = 180, WIDTH = 720, ROW = 24;
  const scale = (t) => LABEL + ((t - t0) / (t1 - t0)) * WIDTH;
  const bars = started.map((n, i) => {
    const from = scale(Date.parse(n.startedAt));
    const to = scale(n.endedAt ? Date.parse(n.endedAt) : Date.now());
    return `<g class="gantt-bar" data-node="${esc(n.name)}"><text x="0" y="${i * ROW + 16}">${esc(n.name)}</text>
      <rect x="${from}" y="${i * ROW + 4}" width="${Math.max(2, to - from)}" height="${ROW - 8}" rx="3" style="fill:var(--${esc(n.status)})"/>
      <text x="${to + 6}" y="${i * ROW + 16}" fill="#6b7280">${duration(n.startedAt, n.endedAt)}</text></g>`;
  });
  return `<svg id="gantt" width="${LABEL + WIDTH + 80}" height="${started.length * ROW + 22}">${bars.join('')}
    <text x="${LABEL}" y="${started.length * ROW + 18}" fill="#6b7280">0s</text>
    <text x="${LABEL + WIDTH - 30}" y="${started.length * ROW + 18}" fill="#6b7280">${((t1 - t0) / 1000).toFixed(2)}s</text></svg>`;
}

async function operate(path, body) {
  try {
    await api('POST', path, body);
    showNotice('');
  } catch (error) {
    showNotice(error.status === 403 ? 'your role may not do this (operators and admins may)' : error.message);
  }
}

/** A node's buttons: Skip before it is reached; Approve and Reject while an approval waits for its decision. */
function nodeActions(n, done) {
  if (done) return '';
  if (n.skipRequested) return '<span class="muted">skipped once reached</span>';
  if (!canOperate()) return '';
  if (SKIPPABLE.includes(n.status)) return `<button class="secondary skip" data-skip="${esc(n.name)}">Skip</button>`;
  if (n.type === 'approval' && n.status === 'RUNNING') {
    return `<button class="approve" data-approve="${esc(n.name)}">Approve</button> <button class="danger" data-reject="${esc(n.name)}">Reject</button>`;
  }
  return '';
}

/** The run that started this one and the runs it started (workflow nodes), as links. */
function runFamily(run) {
  const parent = run.parentRunId ? `<span>started by ${runLink(run.parentRunId)} (${esc(run.parentNode)})</span>` : '';
  const children = run.children.map((c) => `<span>child ${runLink(c.runId)} (${esc(c.node)})</span>`).join('');
  return parent + children;
}

async function renderRun(id) {
  view.innerHTML = '<p class="muted">loading…</p>';
  poll(async () => {
    const [run, notifications] = await Promise.all([
      api('GET', `/v1/runs/${encodeURIComponent(id)}`),
      api('GET', `/v1/runs/${encodeURIComponent(id)}/notifications`),
    ]);
    // A map's elements hang off their map in the drawing.
    const parentsOf = new Map(run.nodes.map((n) => [n.name, n.mapOf ? [n.mapOf] : n.dependsOn]));
    const done = TERMINAL.includes(run.status);
    view.innerHTML = `
      <h1>${esc(run.workflow)} <span id="run-status">${badge(run.status)}</span>${run.cancelRequested && !done ? ' <span class="muted">cancel requested</span>' : ''}</h1>
      <div class="meta"><span>run <b><code>${esc(run.id)}</code></b></span><span>biz <b>${esc(run.bizType ? `${run.bizType}/` : '')}${esc(run.bizId)}</b></span>
        <span>version <b>${run.definitionVersion}</b></span><span>started <b>${time(run.startTime ?? run.createdAt)}</b></span>
        <span>ended <b>${time(run.endTime)}</b></span><span>took <b>${duration(run.startTime, run.endTime)}</b></span>${runFamily(run)}</div>
      <div class="actions" ${canOperate() ? '' : 'hidden'}>
        <button class="danger" id="cancel" ${done || run.cancelRequested ? 'disabled' : ''}>Cancel</button>
        <button class="secondary" id="rerun" ${['FAIL', 'INTERNAL_ERROR', 'TIMEOUT', 'CANCEL'].includes(run.status) ? '' : 'disabled'}>Rerun</button>
      </div>
      <div class="card"><h2>DAG</h2>${dagSvg(run, parentsOf)}</div>
      <div class="card"><h2>Timeline</h2>${ganttSvg(run)}</div>
      <h2>Nodes</h2>
      <table id="nodes"><thead><tr><th>Node</th><th>Type</th><th>Status</th><th>Attempt</th><th>Took</th><th>Result</th><th></th></tr></thead><tbody>
      ${run.nodes
        .map(
          (n) => `<tr data-node="${esc(n.name)}"><td>${esc(n.name)}</td><td>${esc(n.type)}</td><td>${badge(n.status)}</td><td>${n.attempt}</td>
          <td>${duration(n.startedAt, n.endedAt)}</td><td>${n.result ? `<pre>${esc(n.result)}</pre>` : '<span class="muted">-</span>'}${n.error ? `<pre style="color:var(--FAIL)">${esc(n.error)}</pre>` : ''}${n.waitingFor && n.status === 'RUNNING' ? `<span class="muted waiting-for">waiting for ${esc(n.waitingFor)}</span>` : ''}</td>
          <td>${nodeActions(n, done)}</td></tr>`,
        )
        .join('')}</tbody></table>
      ${notificationsTable(notifications.items)}`;
    document.getElementById('cancel').onclick = () => operate(`/v1/runs/${encodeURIComponent(run.id)}/cancel`);
    document.getElementById('rerun').onclick = async () => {
      await operate(`/v1/runs/${encodeURIComponent(run.id)}/rerun`);
      renderRun(run.id);
    };
    for (const button of document.querySelectorAll('button[data-skip]')) {
      button.onclick = () => operate(`/v1/runs/${encodeURIComponent(run.id)}/nodes/${encodeURIComponent(button.dataset.skip)}/skip`);
    }
    for (const button of document.querySelectorAll('button[data-approve]')) {
      button.onclick = () => operate(`/v1/runs/${encodeURIComponent(run.id)}/nodes/${encodeURIComponent(button.dataset.approve)}/approve`, {});
    }
    for (const button of document.querySelectorAll('button[data-reject]')) {
      button.onclick = () => {
        // A rejection fails the node with its reason: asked for, never left empty.
        const reason = window.prompt(`Why reject ${button.dataset.reject}?`);
        if (reason) operate(`/v1/runs/${encodeURIComponent(run.id)}/nodes/${encodeURIComponent(button.dataset.reject)}/reject`, { reason });
      };
    }
    // Deliveries go on after the run ends: keep polling while one is pending.
    return !done || notifications.items.some((d) => d.status === 'PENDING');
  });
}

/** A run's webhook deliveries, each with its attempts. */
function notificationsTable(deliveries) {
  if (deliveries.length === 0) return '';
  const attempts = (d) => d.attemptLog.map((a) => `#${a.attempt} ${a.httpStatus ?? '-'}${a.error ? ` ${esc(a.error)}` : ''}`).join('<br>');
  return `<h2>Notifications</h2>
    <table id="notifications"><thead><tr><th>Event</th><th>Webhook</th><th>Status</th><th>Attempts</th><th>Delivered / next try</th></tr></thead><tbody>
    ${deliveries
      .map(
        (d) => `<tr data-delivery="${esc(d.id)}" data-status="${esc(d.status)}"><td>${esc(d.event)}</td><td><code>${esc(d.url)}</code></td><td>${esc(d.status)}</td>
        <td>${d.attempts}<br><span class="muted">${attempts(d)}</span></td><td>${time(d.deliveredAt ?? d.nextAttemptAt)}</td></tr>`,
      )
      .join('')}</tbody></table>`;
}

// ---------- schedules ----------
const runLink = (id) => (id ? `<a href="#/runs/${esc(id)}"><code>${esc(id)}</code></a>` : '-');

async function showFirings(schedule) {
  // The backfills first: a ledger read after a backfill is seen DONE holds all its rows, so the
  // last redraw (followBackfills stops at DONE) never shows a ledger read before they were written.
  const backfills = await api('GET', `/v1/schedules/${schedule.id}/backfills`);
  const [detail, firings] = await Promise.all([
    api('GET', `/v1/schedules/${schedule.id}`),
    api('GET', `/v1/schedules/${schedule.id}/firings?limit=50`),
  ]);
  const counts = Object.entries(detail.firingCounts).map(([outcome, n]) => `<span>${esc(outcome)} <b>${n}</b></span>`).join('');
  document.getElementById('firings').innerHTML = `
    <h2>Firing ledger of ${esc(schedule.workflow)} / ${esc(schedule.name)}</h2>
    <div class="meta">${counts}</div>
    <div class="card" ${canOperate() ? '' : 'hidden'}>
      <h2>Backfill</h2>
      <p class="muted">One run per fire time of the range (in ${esc(schedule.timeZone)}) that the ledger has no row for, recorded BACKFILL.</p>
      <form id="backfill-form" class="inline">
        <label>From <input id="backfill-from" type="datetime-local" required></label>
        <label>To <input id="backfill-to" type="datetime-local" required></label>
        <label>At once <input id="backfill-concurrency" type="number" min="1" max="100" value="10"></label>
        <button type="submit" id="backfill-start">Backfill</button>
      </form>
    </div>
    <table id="backfills" ${backfills.items.length ? '' : 'hidden'}><thead><tr><th>Backfill</th><th>Range</th><th>Progress</th><th>Status</th><th>By</th></tr></thead><tbody>
    ${backfills.items.map((b) => `<tr data-backfill="${esc(b.id)}" data-status="${esc(b.status)}"><td><code>${esc(b.id)}</code></td><td>${time(b.from)} – ${time(b.to)}</td>
      <td>${progressBar(b.started + b.skipped, b.total)} ${b.started} started, ${b.skipped} already there, of ${b.total}</td><td>${esc(b.status)}</td><td>${esc(b.requestedBy)}</td></tr>`).join('')}
    </tbody></table>
    <table id="firing-ledger"><thead><tr><th>Fire time</th><th>Outcome</th><th>Run</th><th>Decided after</th><th>Replica</th></tr></thead><tbody>
    ${firings.items.map((f) => `<tr><td>${time(f.fireTime)}</td><td>${esc(f.outcome)}</td><td>${runLink(f.runId)}</td><td>${f.delayMs} ms</td><td>${esc(f.replica)}</td></tr>`).join('') || '<tr><td colspan="5" class="muted">no firings yet</td></tr>'}
    </tbody></table>`;
  document.getElementById('backfill-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      // datetime-local is the browser's wall clock: new Date reads it so, and the API takes the instant.
      const instant = (id) => new Date(document.getElementById(id).value).toISOString();
      await api('POST', `/v1/schedules/${schedule.id}/backfill`, {
        from: instant('backfill-from'),
        to: instant('backfill-to'),
        maxConcurrent: Number(document.getElementById('backfill-concurrency').value),
      });
      showNotice('');
      await followBackfills(schedule);
    } catch (error) {
      showNotice(error.message);
    }
  });
}

/** Redraws a schedule's panel while one of its backfills is running. */
async function followBackfills(schedule) {
  await showFirings(schedule);
  const running = document.querySelector('#backfills tr[data-status="RUNNING"]');
  if (running) setTimeout(() => followBackfills(schedule).catch((error) => showNotice(error.message)), 500);
}

async function renderSchedules() {
  const { items } = await api('GET', '/v1/schedules');
  view.innerHTML = `<h1>Schedules</h1>
    <table id="schedules"><thead><tr><th>Workflow</th><th>Name</th><th>Expression</th><th>Zone</th><th>Overlap</th><th>Misfire</th><th>State</th><th>Next fire</th><th>Last run</th><th></th></tr></thead><tbody>
    ${items.map((sc, i) => `<tr class="clickable" data-index="${i}"><td>${esc(sc.workflow)}</td><td>${esc(sc.name)}</td><td><code>${esc(sc.expression)}</code></td>
      <td>${esc(sc.timeZone)}</td><td>${esc(sc.overlap)}</td><td>${esc(sc.misfire)}</td><td>${sc.paused ? 'paused' : 'active'}</td>
      <td>${time(sc.nextFireTime)}</td><td>${runLink(sc.lastRunId)}</td>
      <td>${canOperate() ? `<button class="secondary" data-toggle="${i}">${sc.paused ? 'Resume' : 'Pause'}</button>` : ''}</td></tr>`).join('') || '<tr><td colspan="10" class="muted">no schedules</td></tr>'}
    </tbody></table><div id="firings"></div>`;
  for (const row of document.querySelectorAll('#schedules tr[data-index]')) {
    row.onclick = (event) => {
      if (event.target.closest('a, button')) return;
      showFirings(items[Number(row.dataset.index)]).catch((error) => showNotice(error.message));
    };
  }
  for (const button of document.querySelectorAll('button[data-toggle]')) {
    button.onclick = async () => {
      const schedule = items[Number(button.dataset.toggle)];
      await operate(`/v1/schedules/${schedule.id}/${schedule.paused ? 'resume' : 'pause'}`);
      await renderSchedules();
    };
  }
}

// ---------- handler types ----------
/** A JSON Schema's fields in one line: `cluster*: string, keepDays: integer` (* required). */
function schemaFields(schema) {
  if (!schema) return '<span class="muted">any</span>';
  const required = new Set(schema.required ?? []);
  const fields = Object.entries(schema.properties ?? {}).map(([name, field]) => `${esc(name)}${required.has(name) ? '*' : ''}: ${esc(field.type ?? (field.enum ? field.enum.join('|') : 'any'))}`);
  return fields.length ? `<code>${fields.join(', ')}</code>` : '<code>JSON Schema</code>';
}

async function renderHandlers() {
  poll(async () => {
    const { items } = await api('GET', '/v1/handlers');
    view.innerHTML = `<h1>Handler types</h1>
      <p class="muted">What workers registered: a definition may name any of them as a node type. A type no live worker serves waits for one.</p>
      <table id="handlers"><thead><tr><th>Type</th><th>Kind</th><th>Description</th><th>Input (* required)</th><th>Served by</th></tr></thead><tbody>
      ${items.map((h) => `<tr data-handler="${esc(h.name)}"><td><code>${esc(h.name)}</code></td><td>${h.builtin ? 'built-in' : 'code'}</td><td>${esc(h.description)}</td>
        <td>${schemaFields(h.inputSchema)}</td>
        <td>${h.workers.length ? h.workers.map((w) => `<span title="${esc(w.id)}">${esc(w.host)}:${w.pid}</span>`).join('<br>') : '<span class="muted">no live worker</span>'}</td></tr>`).join('') || '<tr><td colspan="5" class="muted">no worker has registered yet</td></tr>'}
      </tbody></table>`;
  });
}

// ---------- audit trail ----------
async function renderAudit(params) {
  const query = new URLSearchParams([...params].filter(([k, v]) => v && ['principal', 'action', 'target', 'surface', 'outcome', 'cursor'].includes(k)));
  query.set('limit', '50');
  const { items, nextCursor } = await api('GET', `/v1/audit?${query}`);
  const field = (name, label) => `<label>${label} <input name="${name}" value="${esc(params.get(name) ?? '')}"></label>`;
  const next = new URLSearchParams(params);
  if (nextCursor) next.set('cursor', nextCursor);
  view.innerHTML = `<h1>Audit trail</h1>
    <p class="muted">Every state-changing call on every surface, refused ones included, newest first. Nothing here can be changed.</p>
    <div class="card"><form id="audit-filters" class="inline">
      ${field('principal', 'Principal')}${field('action', 'Action')}${field('target', 'Target')}${field('surface', 'Surface')}
      <label>Outcome <select name="outcome"><option value="">any</option>${['ok', 'denied', 'failed'].map((o) => `<option ${params.get('outcome') === o ? 'selected' : ''}>${o}</option>`).join('')}</select></label>
      <button type="submit" class="secondary">Filter</button>
    </form></div>
    <table id="audit"><thead><tr><th>At</th><th>Principal</th><th>Org</th><th>Action</th><th>Target</th><th>Surface</th><th>Address</th><th>Outcome</th></tr></thead><tbody>
    ${items.map((e) => `<tr data-action="${esc(e.action)}"><td>${time(e.at)}</td><td>${esc(e.principalName ?? '(no credential)')} <span class="muted">${esc(e.role ?? '')}</span></td>
      <td>${esc(e.orgId ?? '-')}</td><td><code>${esc(e.action)}</code></td><td><code>${esc(e.target)}</code></td><td>${esc(e.surface)}</td><td>${esc(e.address)}</td>
      <td>${esc(e.outcome)} <span class="muted">${e.httpStatus}</span></td></tr>`).join('') || '<tr><td colspan="8" class="muted">nothing recorded</td></tr>'}
    </tbody></table>
    <p class="pager">${params.get('cursor') ? '<a href="#/audit">← newest</a>' : ''} ${nextCursor ? `<a id="audit-older" href="#/audit?${esc(next.toString())}">older →</a>` : ''}</p>`;
  document.getElementById('audit-filters').addEventListener('submit', (event) => {
    event.preventDefault();
    window.location.hash = `#/audit?${new URLSearchParams([...new window.FormData(event.target)].filter(([, v]) => v))}`;
  });
}

// ---------- routing ----------
async function route() {
  clearTimeout(pollTimer);
  showNotice('');
  const [path, query] = window.location.hash.slice(1).split('?');
  const loggedIn = Boolean(localStorage.getItem(TOKEN_KEY));
  document.getElementById('logout').hidden = !loggedIn;
  for (const link of document.querySelectorAll('[data-nav]')) link.classList.toggle('active', (path ?? '').startsWith(`/${link.dataset.nav}`));
  if (!loggedIn || path === '/login') {
    caller = undefined;
    document.getElementById('who').textContent = '';
    return renderLogin();
  }
  try {
    caller ??= await api('GET', '/v1/whoami');
    document.getElementById('who').textContent = `${caller.name} · ${caller.role} · ${caller.orgId}`;
    document.querySelector('[data-nav="audit"]').hidden = !canAdminister();
    const run = /^\/runs\/([^/]+)$/.exec(path ?? '');
    if (run) await renderRun(decodeURIComponent(run[1]));
    else if (path === '/schedules') await renderSchedules();
    else if (path === '/handlers') await renderHandlers();
    else if (path === '/audit') await renderAudit(new URLSearchParams(query ?? ''));
    else await renderRuns(new URLSearchParams(query ?? ''));
  } catch (error) {
    showNotice(error.message);
  }
}

document.getElementById('logout').addEventListener('click', () => {
  localStorage.removeItem(TOKEN_KEY);
  caller = undefined;
  window.location.hash = '#/login';
});
window.addEventListener('hashchange', route);
route();

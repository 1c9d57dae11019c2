// Invocations: the newest first, filtered by status, service, handler and key, refreshed every 2 s; a row's
// actions (attach, cancel, kill, purge, resume) and a details panel with attempts, last failure and timestamps.
import {h, mount, icon, timeEl, relativeTime, formatDuration, formatTimestamp, copyButton, bodyView, debounce} from './dom.js';
import {api, ingressRequest, ingressKnown, errorMessage} from './api.js';
import {store, setServices, toast} from './store.js';

const STATUSES = [
  ['', 'All'], ['scheduled', 'Scheduled'], ['inboxed', 'Inboxed'], ['running', 'Running'],
  ['suspended', 'Suspended'], ['backing-off', 'Backing off'], ['paused', 'Paused'], ['completed', 'Completed'],
];
const PAGE = 50;
const REFRESH_MS = 2000;
const ACTIONS = {
  cancel: {label: 'Cancel', done: 'Cancellation requested', title: 'Cancel: ends it with 409 Cancelled (a running call has its connection closed)'},
  kill: {label: 'Kill', done: 'Killed', title: 'Kill: ends it at once with 409 killed', danger: true},
  purge: {label: 'Purge', done: 'Purged', title: 'Purge: forget this completed invocation and its result'},
  resume: {label: 'Resume', done: 'Resumed', title: 'Resume: run this paused invocation again'},
};

function statusLabel(inv) {
  if (inv.status === 'completed') return inv.completion_result === 'failure' ? 'Failed' : 'Succeeded';
  return (STATUSES.find(([s]) => s === inv.status) || [null, inv.status])[1];
}

function statusClass(inv) {
  if (inv.status === 'completed') return inv.completion_result === 'failure' ? 'failed' : 'succeeded';
  return inv.status;
}

function actionsFor(inv) {
  if (inv.status === 'completed') return ['purge'];
  return inv.status === 'paused' ? ['resume', 'cancel', 'kill'] : ['cancel', 'kill'];
}

export async function render(main, route, ctx) {
  const q = route.query;
  const filters = {status: q.get('status') || '', service: q.get('service') || '', handler: q.get('handler') || '', key: q.get('key') || ''};
  let selectedId = q.get('id') || null;
  let cursors = []; // "before" cursors of the pages above the current one
  let before = '';
  let nextBefore = null;
  let autoRefresh = true;
  let loading = false;
  let lastList = [];
  let selectedData = null;
  let destroyed = false;
  const attachState = new Map(); // id -> {pending, controller, response}

  const first = await Promise.all([
    api.invocations({...filters, limit: PAGE}),
    store.services ? Promise.resolve(store.services) : api.services().catch(() => []),
  ]);
  if (!ctx.isCurrent()) return;
  if (!store.services) setServices(first[1]);

  // ---- filters ------------------------------------------------------------------------------------------
  const statusTabs = h('div', {class: 'status-tabs', role: 'tablist', 'data-testid': 'inv-status-filter'},
      STATUSES.map(([value, label]) => h('button', {
        type: 'button', class: 'status-tab', 'data-status': value, 'data-testid': `inv-status-${value || 'all'}`,
        onclick: () => {
          filters.status = value;
          changed();
        },
      }, value ? h('span', {class: `dot dot-${value}`}) : null, label)));
  const serviceSelect = h('select', {class: 'input input-sm', id: 'inv-service', 'data-testid': 'inv-service', 'aria-label': 'Service'});
  const handlerSelect = h('select', {class: 'input input-sm', id: 'inv-handler', 'data-testid': 'inv-handler', 'aria-label': 'Handler'});
  const keyInput = h('input', {class: 'input input-sm input-mono', id: 'inv-key', 'data-testid': 'inv-key', placeholder: 'key', value: filters.key,
    'aria-label': 'Object key or workflow id', autocomplete: 'off', spellcheck: 'false'});
  const gotoInput = h('input', {class: 'input input-sm input-mono', id: 'inv-goto', 'data-testid': 'inv-goto', placeholder: 'Go to invocation id…',
    autocomplete: 'off', spellcheck: 'false', 'aria-label': 'Go to invocation id'});
  const autoToggle = h('input', {type: 'checkbox', id: 'inv-autorefresh', 'data-testid': 'inv-autorefresh', checked: true});
  const updatedText = h('span', {class: 'muted small', 'data-testid': 'inv-updated'});
  const refreshButton = h('button', {type: 'button', class: 'btn btn-icon', title: 'Refresh now', 'data-testid': 'inv-refresh', onclick: () => load()}, icon('refresh', 15));

  function fillServiceOptions() {
    const names = (store.services || []).map((s) => s.name);
    if (filters.service && !names.includes(filters.service)) names.push(filters.service);
    mount(serviceSelect, h('option', {value: ''}, 'All services'), names.map((n) => h('option', {value: n}, n)));
    serviceSelect.value = filters.service;
    const svc = (store.services || []).find((s) => s.name === filters.service);
    const handlers = svc ? (svc.handlers || []).map((x) => x.name) : [];
    if (filters.handler && !handlers.includes(filters.handler)) handlers.push(filters.handler);
    mount(handlerSelect, h('option', {value: ''}, 'All handlers'), handlers.map((n) => h('option', {value: n}, n)));
    handlerSelect.value = filters.handler;
    handlerSelect.disabled = !filters.service && !filters.handler;
  }
  serviceSelect.addEventListener('change', () => {
    filters.service = serviceSelect.value;
    filters.handler = '';
    changed();
  });
  handlerSelect.addEventListener('change', () => {
    filters.handler = handlerSelect.value;
    changed();
  });
  keyInput.addEventListener('input', debounce(() => {
    filters.key = keyInput.value.trim();
    changed();
  }, 300));
  gotoInput.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && gotoInput.value.trim()) {
      select(gotoInput.value.trim());
      gotoInput.value = '';
    }
  });
  autoToggle.addEventListener('change', () => {
    autoRefresh = autoToggle.checked;
    if (autoRefresh) load();
  });

  function syncFilterUi() {
    for (const b of statusTabs.children) b.classList.toggle('active', b.getAttribute('data-status') === filters.status);
    fillServiceOptions();
    if (document.activeElement !== keyInput) keyInput.value = filters.key;
  }

  function writeHash() {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(filters)) if (v) params.set(k, v);
    if (selectedId) params.set('id', selectedId);
    const qs = params.toString();
    history.replaceState(null, '', `#/invocations${qs ? `?${qs}` : ''}`);
  }

  function changed() {
    cursors = [];
    before = '';
    syncFilterUi();
    writeHash();
    load();
  }

  // ---- table --------------------------------------------------------------------------------------------
  const banner = h('div', {class: 'action-banner', id: 'inv-action-result', 'data-testid': 'inv-action-result', 'aria-live': 'polite'});
  const tbody = h('tbody', {'data-testid': 'inv-rows'});
  const emptyRow = h('div', {class: 'table-empty', 'data-testid': 'inv-empty'});
  const olderButton = h('button', {type: 'button', class: 'btn btn-sm', 'data-testid': 'inv-older', onclick: () => {
    if (!nextBefore) return;
    cursors.push(before);
    before = nextBefore;
    load();
  }}, 'Older', icon('chevron', 13));
  const newerButton = h('button', {type: 'button', class: 'btn btn-sm', 'data-testid': 'inv-newer', onclick: () => {
    before = cursors.pop() || '';
    load();
  }}, 'Newest');
  const pageInfo = h('span', {class: 'muted small', 'data-testid': 'inv-count'});
  const rows = new Map(); // id -> {tr, sig, inv}

  function rowSignature(inv) {
    return JSON.stringify(inv);
  }

  function targetEl(inv) {
    return h('span', {class: 'target'},
        h('span', {class: 'target-service'}, inv.service),
        inv.key !== undefined && inv.key !== null ? [h('span', {class: 'target-sep'}, '/'), h('span', {class: 'target-key', title: `key: ${inv.key}`}, inv.key)] : null,
        h('span', {class: 'target-sep'}, '/'), h('span', {class: 'target-handler'}, inv.handler));
  }

  function statusEl(inv) {
    return h('span', {class: `status-badge st-${statusClass(inv)}`, 'data-testid': 'inv-status'},
        h('span', {class: 'dot'}), statusLabel(inv));
  }

  function outcomeEl(inv) {
    if (inv.status === 'completed') {
      if (inv.completion_result === 'failure') {
        const f = inv.completion_failure || {};
        return h('span', {class: 'failure-text', title: f.message || ''}, h('span', {class: 'code'}, String(f.code ?? '')), f.message || 'failed');
      }
      return h('span', {class: 'success-text'}, 'success');
    }
    if (inv.last_failure) {
      const f = inv.last_failure;
      return h('span', {class: 'failure-text warn', title: f.message || ''}, h('span', {class: 'code'}, String(f.code ?? '')), f.message || '',
          inv.next_retry_at ? h('span', {class: 'retry-at', 'data-live': 'next', 'data-at': inv.next_retry_at}, ` · retry ${relativeTime(inv.next_retry_at)}`) : null);
    }
    if (inv.status === 'scheduled' && inv.scheduled_at) {
      return h('span', {class: 'muted', 'data-live': 'sched', 'data-at': inv.scheduled_at}, `starts ${relativeTime(inv.scheduled_at)}`);
    }
    return h('span', {class: 'muted'}, '—');
  }

  function durationOf(inv, now = Date.now()) {
    const start = Date.parse(inv.started_at || inv.created_at);
    if (Number.isNaN(start)) return '';
    const end = inv.completed_at ? Date.parse(inv.completed_at) : now;
    if (!inv.completed_at && !inv.started_at) return '';
    return formatDuration(Math.max(0, end - start));
  }

  function actionButtons(inv, size = 'btn-xs') {
    const out = [h('button', {type: 'button', class: `btn ${size}`, 'data-testid': 'inv-attach', 'data-action': 'attach',
      title: 'Attach: wait for the result and show it', onclick: (e) => {
        e.stopPropagation();
        attach(inv.id);
      }}, 'Attach')];
    for (const action of actionsFor(inv)) {
      const a = ACTIONS[action];
      out.push(h('button', {type: 'button', class: `btn ${size}${a.danger ? ' btn-danger-text' : ''}`, 'data-testid': `inv-${action}`, 'data-action': action,
        title: a.title, onclick: (e) => {
          e.stopPropagation();
          act(inv.id, action, e.currentTarget);
        }}, a.label));
    }
    return out;
  }

  function buildRow(inv) {
    const tr = h('tr', {'data-id': inv.id, 'data-status': inv.status, 'data-result': inv.completion_result || '', 'data-testid': 'inv-row',
      class: selectedId === inv.id ? 'selected' : null, tabindex: '0'},
        h('td', null, h('div', {class: 'inv-id mono', title: inv.id}, shortId(inv.id)),
            h('time', {class: 'cell-doc', datetime: inv.created_at, title: `Created ${formatTimestamp(inv.created_at)}`, 'data-live': 'created'},
                relativeTime(inv.created_at))),
        h('td', null, targetEl(inv), inv.idempotency_key ? h('div', {class: 'cell-doc mono ellipsis', title: `idempotency key: ${inv.idempotency_key}`},
            `key ${inv.idempotency_key}`) : null),
        h('td', null, statusEl(inv)),
        h('td', {class: 'num col-optional', 'data-testid': 'inv-attempts'}, String(inv.attempts ?? 0)),
        h('td', {class: 'outcome', 'data-testid': 'inv-outcome'}, outcomeEl(inv)),
        h('td', {class: 'num mono small col-optional', 'data-live': 'duration'}, durationOf(inv)),
        h('td', {class: 'actions'}, h('div', {class: 'row-actions'}, actionButtons(inv))));
    tr.addEventListener('click', (e) => {
      if (e.target.closest('button, a')) return;
      select(inv.id);
    });
    tr.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && e.target === tr) select(inv.id);
    });
    return tr;
  }

  function updateLive(tr, inv) {
    const now = Date.now();
    for (const el of tr.querySelectorAll('[data-live]')) {
      const kind = el.getAttribute('data-live');
      if (kind === 'created') el.textContent = relativeTime(inv.created_at, now);
      else if (kind === 'duration') el.textContent = durationOf(inv, now);
      else if (kind === 'next') el.textContent = ` · retry ${relativeTime(el.getAttribute('data-at'), now)}`;
      else if (kind === 'sched') el.textContent = `starts ${relativeTime(el.getAttribute('data-at'), now)}`;
    }
  }

  function renderRows(list) {
    lastList = list;
    const seen = new Set();
    let previous = null;
    for (const inv of list) {
      seen.add(inv.id);
      const sig = rowSignature(inv);
      let entry = rows.get(inv.id);
      if (!entry || entry.sig !== sig) {
        const tr = buildRow(inv);
        if (entry) entry.tr.replaceWith(tr);
        entry = {tr, sig, inv};
        rows.set(inv.id, entry);
      } else {
        updateLive(entry.tr, inv);
      }
      entry.tr.classList.toggle('selected', selectedId === inv.id);
      const expectedPosition = previous ? previous.nextSibling : tbody.firstChild;
      if (expectedPosition !== entry.tr) tbody.insertBefore(entry.tr, expectedPosition);
      previous = entry.tr;
    }
    for (const [id, entry] of rows) {
      if (!seen.has(id)) {
        entry.tr.remove();
        rows.delete(id);
      }
    }
    const filtered = Object.values(filters).some(Boolean);
    emptyRow.hidden = list.length > 0;
    if (list.length === 0) {
      mount(emptyRow, icon('invocations', 26),
          h('div', {class: 'empty-title'}, filtered ? 'No invocations match these filters' : 'No invocations yet'),
          filtered
              ? h('button', {type: 'button', class: 'btn btn-sm', onclick: () => {
                for (const k of Object.keys(filters)) filters[k] = '';
                changed();
              }}, 'Clear filters')
              : h('div', {class: 'muted'}, 'Call a handler from a service\'s playground, or with curl on the ingress; it shows up here.'));
    }
    pageInfo.textContent = list.length === 0 ? '' : `${list.length} invocation${list.length === 1 ? '' : 's'}${cursors.length ? ' (older page)' : ''}`;
    olderButton.disabled = !nextBefore;
    newerButton.hidden = cursors.length === 0 && !before;
  }

  // ---- details ------------------------------------------------------------------------------------------
  const details = h('aside', {class: 'inv-details card', id: 'inv-details', 'data-testid': 'inv-details', hidden: true});

  function select(id) {
    selectedId = id;
    writeHash();
    for (const [rid, entry] of rows) entry.tr.classList.toggle('selected', rid === id);
    selectedData = lastList.find((x) => x.id === id) || null;
    renderDetails();
    if (!selectedData) loadSelected();
  }

  async function loadSelected() {
    const id = selectedId;
    if (!id) return;
    try {
      const inv = await api.invocation(id);
      if (id !== selectedId || destroyed) return;
      selectedData = inv;
    } catch (e) {
      if (id !== selectedId || destroyed) return;
      selectedData = {id, error: e.status === 404 ? 'No invocation with this id (it may have been purged).' : e.message};
    }
    renderDetails();
  }

  let detailsSig = null;
  function renderDetails() {
    details.hidden = !selectedId;
    layout.classList.toggle('with-details', Boolean(selectedId));
    if (!selectedId) {
      detailsSig = null;
      return;
    }
    const inv = selectedData || {id: selectedId};
    const att = attachState.get(selectedId);
    const sig = JSON.stringify([inv, att && {p: att.pending, r: att.response}]);
    if (sig === detailsSig) {
      for (const el of details.querySelectorAll('time[datetime]')) el.textContent = relativeTime(el.getAttribute('datetime'));
      return;
    }
    detailsSig = sig;
    const close = h('button', {type: 'button', class: 'btn btn-ghost btn-sm', title: 'Close', 'data-testid': 'inv-details-close', onclick: () => {
      selectedId = null;
      selectedData = null;
      writeHash();
      for (const entry of rows.values()) entry.tr.classList.remove('selected');
      renderDetails();
    }}, icon('close', 14));
    const head = h('div', {class: 'card-header'},
        h('div', {class: 'details-id'}, h('code', {'data-testid': 'inv-details-id'}, inv.id), copyButton(inv.id, 'Copy id')), close);
    if (inv.error || !inv.status) {
      mount(details, head, h('div', {class: 'card-body'}, inv.error
          ? h('div', {class: 'callout callout-error'}, icon('alert', 15), h('span', null, inv.error))
          : h('div', {class: 'muted'}, 'Loading…')));
      return;
    }
    const rowsKv = [
      ['Target', targetEl(inv)],
      ['Status', h('span', null, statusEl(inv), inv.status === 'completed' ? h('span', {class: 'muted small'}, ` (${inv.completion_result})`) : null)],
      ['Attempts', String(inv.attempts ?? 0)],
      inv.key !== undefined && inv.key !== null ? ['Key', h('span', null, h('code', null, inv.key), ' ',
          h('a', {class: 'small', 'data-testid': 'inv-details-state', href: `#/services/${encodeURIComponent(inv.service)}?key=${encodeURIComponent(inv.key)}`}, 'State'))] : null,
      inv.idempotency_key ? ['Idempotency key', h('code', null, inv.idempotency_key)] : null,
    ].filter(Boolean);
    const times = [
      ['Created', inv.created_at], ['Scheduled for', inv.scheduled_at], ['Started', inv.started_at],
      ['Next retry', inv.next_retry_at], ['Completed', inv.completed_at], ['Retained until', inv.retained_until],
    ].filter(([, v]) => v);
    const failure = inv.status === 'completed' ? (inv.completion_result === 'failure' ? inv.completion_failure : null) : inv.last_failure;
    mount(details, head, h('div', {class: 'card-body details-body'},
        h('dl', {class: 'kv-grid compact'}, rowsKv.map(([k, v]) => [h('dt', null, k), h('dd', null, v)])),
        failure ? h('div', {class: `failure-box${inv.status === 'completed' ? '' : ' warn'}`, 'data-testid': 'inv-details-failure'},
            h('div', {class: 'section-title'}, inv.status === 'completed' ? 'Failure' : 'Last failure'),
            h('div', null, h('span', {class: 'code'}, String(failure.code ?? '')), ' ', failure.message || '')) : null,
        h('div', {class: 'section-title'}, 'Timeline'),
        h('ol', {class: 'timeline'}, times.map(([k, v]) => h('li', null, h('span', {class: 'tl-label'}, k),
            h('span', {class: 'tl-time mono'}, formatTimestamp(v)), timeEl(v, {class: 'muted small'})))),
        inv.started_at && inv.completed_at ? h('div', {class: 'muted small'}, `Ran ${durationOf(inv)} from start to completion.`) : null,
        h('div', {class: 'section-title'}, 'Actions'),
        h('div', {class: 'row-actions wrap'}, actionButtons(inv, 'btn-sm')),
        attachView(inv.id)));
  }

  function attachView(id) {
    const att = attachState.get(id);
    if (!att) return null;
    if (att.pending) {
      return h('div', {class: 'attach-box', 'data-testid': 'inv-attach-result'},
          h('div', {class: 'pending'}, h('span', {class: 'spinner'}), h('span', null, 'Attached: waiting for the result…'),
              h('button', {type: 'button', class: 'btn btn-xs', onclick: () => att.controller.abort()}, 'Stop')));
    }
    const r = att.response;
    if (r.error) {
      return h('div', {class: 'attach-box', 'data-testid': 'inv-attach-result'}, h('div', {class: 'callout callout-error'}, icon('alert', 14), h('span', null, r.error)));
    }
    const cls = r.status < 300 ? 'ok' : r.status < 400 ? 'info' : 'bad';
    return h('div', {class: 'attach-box', 'data-testid': 'inv-attach-result'},
        h('div', {class: 'section-title'}, 'Result (attach)'),
        h('div', {class: 'response-summary'}, h('span', {class: `status-pill status-${cls}`, 'data-testid': 'inv-attach-status'}, String(r.status)),
            h('span', {class: 'response-meta'}, icon('clock', 13), formatDuration(r.elapsed)),
            r.status >= 400 ? h('span', {class: 'failure-text'}, errorMessage(r.status, r.body)) : null),
        h('div', {class: 'body-view'}, bodyView(r.body)));
  }

  async function attach(id) {
    select(id);
    const existing = attachState.get(id);
    if (existing && existing.pending) return;
    await ingressKnown;
    const controller = new AbortController();
    const att = {pending: true, controller, response: null};
    attachState.set(id, att);
    renderDetails();
    try {
      const r = await ingressRequest({method: 'GET', path: `/restate/invocation/${encodeURIComponent(id)}/attach`, signal: controller.signal});
      att.response = r;
      showBanner('ok', `Attach ${shortId(id)}: ${r.status}`, r.status >= 400 ? errorMessage(r.status, r.body) : 'result received');
    } catch (e) {
      att.response = {error: e.name === 'AbortError' ? 'Stopped waiting (the invocation goes on).' : `The ingress did not answer: ${e.message}`};
    }
    att.pending = false;
    if (!destroyed) renderDetails();
  }

  async function act(id, action, button) {
    if (button) button.disabled = true;
    try {
      const status = await api.act(id, action);
      showBanner('ok', `${ACTIONS[action].done}: ${id}`, `${action} answered ${status}`);
    } catch (e) {
      showBanner('error', `${ACTIONS[action].label} failed for ${id}`, `${e.status || ''} ${e.message}`.trim());
      if (button) button.disabled = false;
    }
    load();
  }

  let bannerTimer = null;
  function showBanner(kind, title, text) {
    clearTimeout(bannerTimer);
    mount(banner, h('div', {class: `callout callout-${kind === 'ok' ? 'ok' : 'error'}`, 'data-kind': kind},
        icon(kind === 'ok' ? 'check' : 'alert', 15), h('div', null, h('strong', null, title), text ? h('div', {class: 'small'}, text) : null),
        h('button', {type: 'button', class: 'btn btn-ghost btn-xs banner-close', title: 'Dismiss', onclick: () => mount(banner)}, icon('close', 12))));
    if (kind === 'ok') bannerTimer = setTimeout(() => mount(banner), 8000);
  }

  // ---- loading ------------------------------------------------------------------------------------------
  let pendingLoad = false;
  async function load() {
    if (loading) {
      pendingLoad = true;
      return;
    }
    loading = true;
    try {
      const answer = await api.invocations({...filters, limit: PAGE, before});
      if (destroyed) return;
      nextBefore = answer.next_before || null;
      renderRows(answer.invocations || []);
      if (selectedId) {
        const found = lastList.find((x) => x.id === selectedId);
        if (found) selectedData = found;
        else await loadSelected();
      }
      renderDetails();
      updatedText.textContent = `Updated ${new Date().toLocaleTimeString()}`;
      errorBox.hidden = true;
    } catch (e) {
      if (destroyed) return;
      mount(errorBox, icon('alert', 15), h('span', null, `Could not load invocations: ${e.message}`));
      errorBox.hidden = false;
    } finally {
      loading = false;
      if (pendingLoad && !destroyed) {
        pendingLoad = false;
        load();
      }
    }
  }

  const errorBox = h('div', {class: 'callout callout-error', hidden: true, 'data-testid': 'inv-error'});
  const table = h('div', {class: 'card inv-table-card'},
      h('div', {class: 'table-wrap'}, h('table', {class: 'table inv-table', 'data-testid': 'inv-table'},
          h('thead', null, h('tr', null, h('th', null, 'Invocation'), h('th', null, 'Target'), h('th', null, 'Status'),
              h('th', {class: 'num col-optional'}, 'Attempts'), h('th', {class: 'outcome'}, 'Failure / result'),
              h('th', {class: 'num col-optional'}, 'Duration'), h('th', {class: 'actions'}, ''))),
          tbody)),
      emptyRow,
      h('div', {class: 'table-footer'}, pageInfo, h('span', {class: 'spacer'}), newerButton, olderButton));
  const layout = h('div', {class: 'inv-layout'}, h('div', {class: 'inv-main'}, errorBox, banner, table), details);

  mount(main, h('div', {class: 'page page-wide', 'data-testid': 'invocations'},
      h('header', {class: 'page-header'},
          h('div', null, h('h1', null, 'Invocations'),
              h('p', {class: 'page-subtitle'}, 'Every request to a handler, newest first: where it is, how many attempts it took, why it failed.')),
          h('div', {class: 'page-actions'}, h('label', {class: 'toggle', for: 'inv-autorefresh'}, autoToggle, 'Auto-refresh'), updatedText, refreshButton)),
      h('div', {class: 'filters'}, statusTabs,
          h('div', {class: 'filter-fields'}, serviceSelect, handlerSelect, keyInput, h('span', {class: 'spacer'}), gotoInput)),
      layout));

  syncFilterUi();
  nextBefore = first[0].next_before || null;
  renderRows(first[0].invocations || []);
  updatedText.textContent = `Updated ${new Date().toLocaleTimeString()}`;
  if (selectedId) select(selectedId);

  const timer = setInterval(() => {
    if (autoRefresh && !document.hidden) load();
  }, REFRESH_MS);
  return () => {
    destroyed = true;
    clearInterval(timer);
    clearTimeout(bannerTimer);
    for (const att of attachState.values()) if (att.pending) att.controller.abort();
  };
}

function shortId(id) {
  return id && id.length > 16 ? `${id.slice(0, 9)}…${id.slice(-4)}` : id;
}

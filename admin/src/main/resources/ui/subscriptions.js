// Subscriptions: Kafka topics whose records become invocations of a handler. GET /subscriptions (read from the
// registry Ferry keeps in memory), POST /subscriptions to add one, DELETE /subscriptions/{id} to remove one.
import {h, mount, icon, pageHeader, removeButton} from './dom.js';
import {api} from './api.js';
import {toast} from './store.js';

export async function render(main, route, ctx) {
  const subscriptions = await api.subscriptions();
  if (!ctx.isCurrent()) return;
  const refresh = h('button', {class: 'btn btn-icon', type: 'button', title: 'Refresh', 'data-testid': 'subscriptions-refresh',
    onclick: () => ctx.refresh()}, icon('refresh', 15));
  mount(main, h('div', {class: 'page', 'data-testid': 'subscriptions'},
      pageHeader('Subscriptions', 'Kafka topics whose records become invocations: each record\'s key is the object key or '
          + 'workflow id, its value the input.', refresh),
      subscriptionsCard(subscriptions, ctx),
      addCard(ctx)));
}

function subscriptionsCard(subscriptions, ctx) {
  const rows = subscriptions.map((s) => h('tr', {'data-testid': 'subscription-row', 'data-id': s.id},
      h('td', null, h('span', {class: 'mono', 'data-testid': 'subscription-source'}, s.source),
          h('div', {class: 'cell-doc mono'}, s.id)),
      h('td', null, sinkLink(s.sink)),
      h('td', null, options(s.options || {})),
      h('td', {class: 'actions'}, removeButton('subscription-remove', () => api.removeSubscription(s.id), () => {
        toast(`Removed the subscription of ${s.sink} to ${s.source}`, 'ok');
        ctx.refresh();
      }, (e) => toast(`Could not remove ${s.id}: ${e.message}`, 'error')))));
  return h('section', {class: 'card'},
      h('div', {class: 'card-header'}, h('h2', null, 'Subscriptions', h('span', {class: 'count'}, String(subscriptions.length)))),
      subscriptions.length === 0
          ? h('div', {class: 'card-body muted', 'data-testid': 'subscriptions-empty'}, 'No subscriptions. Add one below, or with ',
              h('code', null, 'POST /subscriptions'), '.')
          : h('div', {class: 'table-wrap'}, h('table', {class: 'table', 'data-testid': 'subscriptions-table'},
              h('thead', null, h('tr', null, h('th', null, 'Source'), h('th', null, 'Handler'), h('th', null, 'Options'),
                  h('th', {class: 'actions'}, ''))),
              h('tbody', null, rows))));
}

/** service://Ledger/append links to the handler's playground. */
function sinkLink(sink) {
  const m = /^service:\/\/([^/]+)\/([^/]+)$/.exec(sink);
  if (!m) return h('span', {class: 'mono'}, sink);
  return h('a', {class: 'mono', 'data-testid': 'subscription-sink', href: `#/services/${encodeURIComponent(m[1])}/${encodeURIComponent(m[2])}`}, sink);
}

function options(opts) {
  const entries = Object.entries(opts);
  if (entries.length === 0) return h('span', {class: 'muted small'}, '—');
  return h('div', {class: 'chips'}, entries.map(([k, v]) => h('span', {class: 'chip mono'}, `${k}=${v}`)));
}

function addCard(ctx) {
  const source = h('input', {id: 'sub-source', 'data-testid': 'sub-source', class: 'input input-mono', autocomplete: 'off',
    spellcheck: 'false', placeholder: 'kafka://default/orders', required: true});
  const sink = h('input', {id: 'sub-sink', 'data-testid': 'sub-sink', class: 'input input-mono', autocomplete: 'off',
    spellcheck: 'false', placeholder: 'service://Ledger/append', required: true});
  const opts = h('input', {id: 'sub-options', 'data-testid': 'sub-options', class: 'input input-mono', autocomplete: 'off',
    spellcheck: 'false', placeholder: '{"auto.offset.reset":"earliest"}'});
  const button = h('button', {type: 'submit', class: 'btn btn-primary', 'data-testid': 'sub-submit'}, icon('plus', 15), 'Add');
  const result = h('div', {role: 'status', 'aria-live': 'polite'});
  const form = h('form', {class: 'register-form', 'data-testid': 'sub-form', novalidate: true},
      h('label', {class: 'field-label', for: 'sub-source'}, 'Source topic'), source,
      h('label', {class: 'field-label', for: 'sub-sink'}, 'Handler'), sink,
      h('label', {class: 'field-label', for: 'sub-options'}, 'Options (JSON object of strings, optional)'), opts,
      h('div', {class: 'input-row'}, button),
      result);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    let options;
    try {
      options = opts.value.trim() ? JSON.parse(opts.value) : undefined;
    } catch (err) {
      showError(result, `The options are not valid JSON: ${err.message}`);
      return;
    }
    button.disabled = true;
    try {
      const body = {source: source.value.trim(), sink: sink.value.trim()};
      if (options !== undefined) body.options = options;
      const answer = await api.addSubscription(body);
      toast(`${answer.status === 201 ? 'Added' : 'Already there:'} ${answer.json.id}`, 'ok');
      ctx.refresh();
    } catch (err) {
      showError(result, err.message, err.status);
    } finally {
      button.disabled = false;
    }
  });
  return h('section', {class: 'card'},
      h('div', {class: 'card-header'}, h('h2', null, 'Add a subscription')),
      h('div', {class: 'card-body'}, form));
}

function showError(result, message, status) {
  mount(result, h('div', {class: 'callout callout-error', 'data-testid': 'sub-error', role: 'alert'}, icon('alert', 16),
      h('div', null, h('strong', null, status ? `Not added (${status})` : 'Not added'), h('div', {class: 'error-text'}, message))));
}

// Services: the registered services as a tree on the left; a service's handlers and settings, or a handler's
// playground, on the right. One GET /services per view (plus GET /deployments once, for the endpoint URIs).
// A virtual object or workflow also shows the state of a key (#/services/{name}?key={key}), read-only.
import {h, mount, icon, serviceTypeBadge, badge, jsonView} from './dom.js';
import {api, adminText, adminUrl, hasAdminToken} from './api.js';
import {store, setServices, setDeployments, tyClass, highlightService, toast} from './store.js';
import {registerForm} from './register.js';
import {playground} from './playground.js';
import {schemaSummary} from './schema.js';

export async function render(main, route, ctx) {
  const [services, deployments] = await Promise.all([
    api.services(),
    store.deployments ? Promise.resolve(store.deployments) : api.deployments().catch(() => []),
  ]);
  if (!ctx.isCurrent()) return;
  setServices(services);
  setDeployments(deployments);
  const sorted = store.services;

  if (sorted.length === 0) {
    mount(main, h('div', {class: 'page'},
        h('header', {class: 'page-header'}, h('div', null, h('h1', null, 'Services'))),
        h('section', {class: 'empty-state card', 'data-testid': 'services-empty'},
            h('div', {class: 'empty-illustration'}, icon('services', 34)),
            h('h2', null, 'No services yet'),
            h('p', {class: 'empty-lead'}, 'Services appear here once a deployment that serves them is registered.'),
            registerForm({onRegistered: () => ctx.refresh(), prominent: true}))));
    return;
  }

  let name = route.segments[1];
  if (!name) {
    name = sorted[0].name;
    history.replaceState(null, '', `#/services/${encodeURIComponent(name)}`);
    highlightService();
  }
  const svc = sorted.find((s) => s.name === name);
  const handlerName = route.segments[2];
  const handler = svc && handlerName ? (svc.handlers || []).find((x) => x.name === handlerName) : null;
  ctx.setTitle(handler ? `${svc.name}/${handler.name}` : svc ? svc.name : 'Services');

  let content;
  if (!svc) {
    content = missing(`There is no service named “${name}”.`, '#/services', 'All services');
  } else if (handlerName && !handler) {
    content = missing(`${svc.name} has no handler named “${handlerName}”.`, `#/services/${encodeURIComponent(svc.name)}`, svc.name);
  } else if (handler) {
    content = playground(svc, handler);
  } else {
    content = serviceDetail(svc, deployments, route.query.get('key'));
  }
  mount(main, h('div', {class: 'page page-wide'},
      h('div', {class: 'services-layout'}, tree(sorted, svc, handler), h('section', {class: 'service-main'}, content))));
}

function missing(text, href, label) {
  return h('div', {class: 'card empty-small'}, h('p', null, text), h('a', {href}, `Back to ${label}`));
}

function tree(services, current, currentHandler) {
  return h('nav', {class: 'service-tree', 'aria-label': 'Services and handlers', 'data-testid': 'service-tree'},
      h('div', {class: 'tree-title'}, 'Services', h('span', {class: 'count'}, String(services.length))),
      services.map((s) => {
        const open = current && s.name === current.name;
        const href = `#/services/${encodeURIComponent(s.name)}`;
        return h('div', {class: `tree-group${open ? ' open' : ''}`},
            h('a', {class: `tree-service${open && !currentHandler ? ' active' : ''}`, href, 'data-testid': `tree-service-${s.name}`},
                h('span', {class: `ty-dot ty-${tyClass(s.ty)}`}), h('span', {class: 'tree-label'}, s.name),
                h('span', {class: 'tree-count'}, String((s.handlers || []).length))),
            open ? h('div', {class: 'tree-handlers'}, (s.handlers || []).map((hd) => h('a', {
              class: `tree-handler${currentHandler && currentHandler.name === hd.name ? ' active' : ''}`,
              href: `${href}/${encodeURIComponent(hd.name)}`, 'data-testid': `tree-handler-${hd.name}`,
            }, icon('fn', 13), h('span', {class: 'tree-label'}, hd.name), hd.ty ? h('span', {class: 'tree-ty'}, hd.ty[0]) : null))) : null);
      }));
}

function serviceDetail(svc, deployments, stateKey) {
  const deployment = deployments.find((d) => d.id === svc.deployment_id);
  const base = `#/services/${encodeURIComponent(svc.name)}`;
  const handlers = svc.handlers || [];
  return h('div', {class: 'service-detail', 'data-testid': 'service-detail', 'data-service': svc.name},
      h('header', {class: 'detail-header'},
          h('div', {class: 'detail-title'}, h('span', {class: `title-icon ty-bg-${tyClass(svc.ty)}`}, icon('services', 20)),
              h('h1', null, svc.name), serviceTypeBadge(svc.ty)),
          svc.documentation ? h('p', {class: 'detail-doc'}, svc.documentation) : null,
          h('div', {class: 'detail-meta'},
              h('span', {class: 'meta-item'}, icon('globe', 14),
                  deployment ? h('span', {class: 'mono'}, deployment.uri) : h('span', {class: 'mono'}, svc.deployment_id)),
              h('span', {class: 'meta-item'}, badge(`revision ${svc.revision}`, 'neutral')),
              h('a', {class: 'meta-item', href: `#/invocations?service=${encodeURIComponent(svc.name)}`}, icon('invocations', 14), 'Invocations'),
              openApiLink(svc.name))),
      h('section', {class: 'card'},
          h('div', {class: 'card-header'}, h('h2', null, 'Handlers', h('span', {class: 'count'}, String(handlers.length)))),
          h('div', {class: 'table-wrap'}, h('table', {class: 'table handlers-table', 'data-testid': 'handlers-table'},
              h('thead', null, h('tr', null, h('th', null, 'Handler'), h('th', null, 'Type'), h('th', null, 'Input'),
                  h('th', null, 'Output'), h('th', {class: 'actions'}, ''))),
              h('tbody', null, handlers.map((hd) => {
                const href = `${base}/${encodeURIComponent(hd.name)}`;
                return h('tr', {'data-testid': 'handler-row', 'data-handler': hd.name},
                    h('td', null, h('a', {class: 'handler-name', href}, icon('fn', 14), hd.name),
                        hd.documentation ? h('div', {class: 'cell-doc'}, hd.documentation) : null),
                    h('td', null, hd.ty ? badge(hd.ty, hd.ty.toLowerCase()) : h('span', {class: 'muted'}, '—')),
                    h('td', null, ioCell(hd.input_description, hd.input_json_schema)),
                    h('td', null, ioCell(hd.output_description, hd.output_json_schema)),
                    h('td', {class: 'actions'}, h('a', {class: 'btn btn-sm', href, 'data-testid': `open-playground-${hd.name}`},
                        icon('play', 12), 'Playground')));
              }))))),
      keyed(svc) ? stateCard(svc, stateKey) : null,
      settingsCard(svc));
}

function keyed(svc) {
  return svc.ty === 'VirtualObject' || svc.ty === 'Workflow';
}

/**
 * The state of one key (a workflow's key is its id): enter it, see its entries. Read-only. The key goes in the
 * page's address, so a link (e.g. from an invocation's details) opens it.
 */
function stateCard(svc, initialKey) {
  const what = svc.ty === 'Workflow' ? 'Workflow id' : 'Object key';
  const input = h('input', {id: 'state-key', 'data-testid': 'state-key', type: 'text', class: 'input input-mono', autocomplete: 'off',
    spellcheck: 'false', placeholder: svc.ty === 'Workflow' ? 'workflow id' : 'key', 'aria-label': what, value: initialKey || ''});
  const button = h('button', {type: 'submit', class: 'btn btn-primary', 'data-testid': 'state-submit'}, 'Show state');
  const result = h('div', {'data-testid': 'state-result', role: 'status', 'aria-live': 'polite'});
  let shown = null;
  const refresh = h('button', {type: 'button', class: 'btn btn-ghost btn-sm', title: 'Read again', 'data-testid': 'state-refresh', hidden: true,
    onclick: () => shown !== null && load(shown)}, icon('refresh', 14));

  async function load(key) {
    shown = key;
    refresh.hidden = false;
    history.replaceState(null, '', `#/services/${encodeURIComponent(svc.name)}?key=${encodeURIComponent(key)}`);
    mount(result, h('div', {class: 'callout callout-info'}, h('span', {class: 'spinner'}), h('span', null, 'Reading the state of ', h('code', null, key), '…')));
    try {
      const answer = await api.state(svc.name, key);
      if (shown !== key) return; // another key was asked for since
      mount(result, stateTable(answer));
    } catch (err) {
      if (shown !== key) return;
      mount(result, h('div', {class: 'callout callout-error', 'data-testid': 'state-error', role: 'alert'}, icon('alert', 15),
          h('span', null, err.message)));
    }
  }

  const form = h('form', {class: 'state-form', 'data-testid': 'state-form', novalidate: true},
      h('label', {for: 'state-key', class: 'field-label'}, what),
      h('div', {class: 'input-row'}, input, button),
      h('div', {class: 'field-hint'}, 'Read-only, from ', h('code', null, `GET /services/${svc.name}/state/{key}`),
          '. Ferry holds the state of services written with a Restate SDK; a service on Ferry\'s plain HTTP contract keeps its own.'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const key = input.value;
    if (key === '') {
      input.focus();
      return;
    }
    load(key);
  });
  if (initialKey) queueMicrotask(() => load(initialKey));
  return h('section', {class: 'card', 'data-testid': 'state-card'},
      h('div', {class: 'card-header'}, h('h2', null, 'State'), refresh),
      h('div', {class: 'card-body state-body'}, form, result));
}

/** One key's entries: a table of key and value; JSON values as JSON, other bytes as base64 with their size. */
function stateTable(answer) {
  const entries = answer.state || [];
  if (entries.length === 0) {
    return h('div', {class: 'state-empty muted', 'data-testid': 'state-empty'},
        'No state for ', h('code', null, answer.service_key),
        '. A key that never had state and one whose state was cleared look the same.');
  }
  return h('div', {class: 'table-wrap'}, h('table', {class: 'table state-table', 'data-testid': 'state-table'},
      h('thead', null, h('tr', null, h('th', null, 'Key'), h('th', null, 'Value'))),
      h('tbody', null, entries.map((entry) => h('tr', {'data-testid': 'state-row', 'data-key': typeof entry.key === 'string' ? entry.key : null},
          h('td', {class: 'mono state-key-cell'}, bytesOrText(entry.key, (text) => text)),
          h('td', null, bytesOrText(entry.value, (value) => jsonView(value))))))));
}

/** A value the API wrote as {"$base64": ...} (not UTF-8 text, or not JSON) shown as such; anything else by show. */
function bytesOrText(value, show) {
  if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 1 && typeof value.$base64 === 'string') {
    const size = Math.floor(value.$base64.length * 3 / 4) - (value.$base64.endsWith('==') ? 2 : value.$base64.endsWith('=') ? 1 : 0);
    return h('span', {class: 'state-bytes'}, badge(`${size} bytes`, 'neutral'), ' ', h('code', {class: 'small', title: 'base64'}, value.$base64 || '(empty)'));
  }
  return show(value);
}

/** The service's OpenAPI document in a new tab; fetched with the admin token when there is one. */
function openApiLink(name) {
  const path = `/services/${encodeURIComponent(name)}/openapi`;
  return h('a', {class: 'meta-item', href: adminUrl(path), target: '_blank', rel: 'noopener', 'data-testid': 'openapi-link', onclick: async (e) => {
    if (!hasAdminToken()) return;
    e.preventDefault();
    const tab = window.open('', '_blank');
    try {
      const text = await adminText(path);
      const url = URL.createObjectURL(new Blob([text], {type: 'application/json'}));
      if (tab) tab.location.href = url;
    } catch (err) {
      if (tab) tab.close();
      toast(`OpenAPI of ${name}: ${err.message}`, 'error');
    }
  }}, icon('docs', 14), 'OpenAPI');
}

function ioCell(description, schema) {
  const text = description || '—';
  const summary = schemaSummary(schema);
  if (!schema) return h('span', {class: 'io mono small'}, text);
  return h('details', {class: 'schema-details'},
      h('summary', null, h('span', {class: 'io mono small'}, text), summary && !text.includes(summary) ? h('span', {class: 'muted small'}, ` ${summary}`) : null,
          h('span', {class: 'schema-tag'}, 'schema')),
      jsonView(schema));
}

function settingsCard(svc) {
  const retry = svc.retry_policy || {};
  const retryText = retry.max_attempts !== undefined
      ? `${retry.max_attempts ?? '∞'} attempts, from ${retry.initial_interval || '?'} ×${retry.exponentiation_factor ?? '?'} up to ${retry.max_interval || '?'}, then ${retry.on_max_attempts || '?'}`
      : '—';
  const rows = [
    ['Idempotency retention', svc.idempotency_retention],
    ['Journal retention', svc.journal_retention],
    ['Workflow completion retention', svc.workflow_completion_retention],
    ['Inactivity timeout', svc.inactivity_timeout],
    ['Abort timeout', svc.abort_timeout],
    ['Retry policy', retryText],
    ['Max wait', svc.max_wait],
    ['Public', svc.public === undefined ? undefined : String(svc.public)],
    ['Publish results', svc.publish_results === undefined ? undefined : String(svc.publish_results)],
    ['Dead-letter failures', svc.dead_letter_failures === undefined ? undefined : String(svc.dead_letter_failures)],
    ['Reject changed requests', svc.reject_changed_requests === undefined ? undefined : String(svc.reject_changed_requests)],
  ].filter(([, v]) => v !== undefined && v !== null && v !== '');
  return h('section', {class: 'card'},
      h('div', {class: 'card-header'}, h('h2', null, 'Settings'),
          h('span', {class: 'muted small'}, 'Change with ', h('code', null, `PATCH /services/${svc.name}`))),
      h('dl', {class: 'kv-grid'}, rows.map(([k, v]) => [h('dt', null, k), h('dd', {class: 'mono'}, v)])));
}

// Ferry's UI: a hash router over five views. Plain ES modules, no build step, nothing from the network.
import {h, mount, icon} from './dom.js';
import {api, setIngress, ingressUrl, adminBase, hasAdminToken, setAdminToken} from './api.js';
import {store, highlightService} from './store.js';
import * as overview from './overview.js';
import * as services from './services.js';
import * as invocations from './invocations.js';
import * as subscriptions from './subscriptions.js';
import * as deadLetters from './deadletters.js';

const VIEWS = {'': overview, overview, services, invocations, subscriptions, 'dead-letters': deadLetters};
const TITLES = {'': 'Overview', overview: 'Overview', services: 'Services', invocations: 'Invocations',
  subscriptions: 'Subscriptions', 'dead-letters': 'Dead letters'};

const main = document.getElementById('main');
let cleanup = null;
let sequence = 0;

export function parseRoute() {
  const hash = location.hash.replace(/^#\/?/, '');
  const q = hash.indexOf('?');
  const path = q >= 0 ? hash.slice(0, q) : hash;
  const query = new URLSearchParams(q >= 0 ? hash.slice(q + 1) : '');
  const segments = path.split('/').filter(Boolean).map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  return {segments, query};
}

async function route() {
  const r = parseRoute();
  const name = r.segments[0] || '';
  const view = VIEWS[name];
  for (const a of document.querySelectorAll('[data-nav]')) {
    a.classList.toggle('active', a.getAttribute('data-nav') === (name || 'overview'));
  }
  highlightService();
  if (cleanup) {
    try {
      cleanup();
    } catch {
      // a view's cleanup must not stop navigation
    }
    cleanup = null;
  }
  const seq = ++sequence;
  const ctx = {
    isCurrent: () => seq === sequence,
    refresh: () => route(),
    setTitle: (t) => {
      document.title = t ? `${t} · Ferry` : 'Ferry';
    },
  };
  if (!view) {
    mount(main, notFound());
    return;
  }
  ctx.setTitle(TITLES[name]);
  main.setAttribute('aria-busy', 'true');
  try {
    const result = await view.render(main, r, ctx);
    if (seq === sequence) cleanup = typeof result === 'function' ? result : null;
    else if (typeof result === 'function') result();
  } catch (e) {
    if (seq === sequence) mount(main, e.status === 401 ? tokenForm(ctx) : failure(e, ctx));
  } finally {
    if (seq === sequence) main.removeAttribute('aria-busy');
  }
}

function notFound() {
  return h('div', {class: 'page'}, h('div', {class: 'card empty-small'},
      h('h2', null, 'Nothing here'), h('p', null, 'This page does not exist. '), h('a', {href: '#/'}, 'Back to the overview')));
}

function failure(e, ctx) {
  return h('div', {class: 'page'}, h('div', {class: 'callout callout-error', 'data-testid': 'view-error'},
      icon('alert', 18),
      h('div', null, h('strong', null, 'Could not load this view'), h('div', null, e.message || String(e)),
          h('button', {class: 'btn btn-sm', type: 'button', onclick: () => ctx.refresh()}, 'Try again'))));
}

/** The admin API wants FERRY_ADMIN_TOKEN: ask for it, keep it for this tab (or this browser), try again. */
function tokenForm(ctx) {
  ctx.setTitle('Sign in');
  const input = h('input', {id: 'token-input', 'data-testid': 'token-input', type: 'password', class: 'input input-mono',
    autocomplete: 'current-password', placeholder: 'FERRY_ADMIN_TOKEN', 'aria-label': 'Admin token', autofocus: true});
  const remember = h('input', {type: 'checkbox', id: 'token-remember'});
  const wrong = hasAdminToken();
  const form = h('form', {class: 'register-form prominent', 'data-testid': 'token-form'},
      h('label', {class: 'field-label', for: 'token-input'}, 'Admin token'),
      h('div', {class: 'input-row'}, input,
          h('button', {type: 'submit', class: 'btn btn-primary', 'data-testid': 'token-submit'}, 'Continue')),
      h('label', {class: 'toggle', for: 'token-remember'}, remember, 'Remember on this browser'),
      wrong ? h('div', {class: 'callout callout-error', 'data-testid': 'token-error', role: 'alert'}, icon('alert', 15),
          h('div', null, 'The admin API refused this token.')) : null);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!input.value.trim()) return;
    setAdminToken(input.value.trim(), remember.checked);
    updateTokenControls();
    loadVersion();
    ctx.refresh();
  });
  return h('div', {class: 'page'}, h('section', {class: 'empty-state card', 'data-testid': 'token-required'},
      h('div', {class: 'empty-illustration'}, icon('lock', 30)),
      h('h2', null, 'This Ferry asks for its admin token'),
      h('p', {class: 'empty-lead'}, 'Its admin API is protected by ', h('code', null, 'FERRY_ADMIN_TOKEN'),
          '. Enter the token to see and manage services and invocations; the page sends it only to this admin API.'),
      form));
}

function updateTokenControls() {
  const line = document.getElementById('token-line');
  if (line) line.hidden = !hasAdminToken();
}

function loadVersion() {
  const dot = document.getElementById('server-status');
  return api.version().then((v) => {
    store.version = v;
    setIngress(v);
    document.getElementById('server-version').textContent = /^\d/.test(v.version) ? `v${v.version}` : v.version;
    document.getElementById('server-version').title = v.commit ? `Ferry ${v.version}, commit ${v.commit}` : `Ferry ${v.version}`;
    dot.className = 'status-dot up';
    dot.title = 'Connected';
    document.getElementById('ingress-endpoint').textContent = ingressUrl('').replace(/^https?:\/\//, '');
  }).catch((e) => {
    if (e.status === 401) {
      dot.className = 'status-dot';
      dot.title = 'Needs the admin token';
      document.getElementById('server-version').textContent = 'locked';
      return;
    }
    setIngress(null);
    dot.className = 'status-dot down';
    dot.title = 'The admin API does not answer';
    document.getElementById('server-version').textContent = 'unreachable';
  });
}

async function boot() {
  for (const slot of document.querySelectorAll('[data-icon]')) slot.append(icon(slot.getAttribute('data-icon'), 17));
  document.getElementById('admin-endpoint').textContent = adminBase();
  window.addEventListener('hashchange', route);
  document.getElementById('token-forget').addEventListener('click', () => {
    setAdminToken(null);
    updateTokenControls();
    route();
  });
  updateTokenControls();
  const versionLoaded = loadVersion();
  await Promise.all([versionLoaded, route()]);
}

boot();

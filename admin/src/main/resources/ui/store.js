// What the views share: the last services and deployments the admin API answered, and toasts.
import {h, mount, icon} from './dom.js';

export const store = {
  services: null,
  deployments: null,
  version: null,
};

/** Remembers the services and lists them in the sidebar. */
export function setServices(services) {
  store.services = [...services].sort((a, b) => a.name.localeCompare(b.name));
  const section = document.getElementById('nav-services-section');
  const list = document.getElementById('nav-services');
  if (!section || !list) return;
  section.hidden = store.services.length === 0;
  mount(list, store.services.map((s) => h('a', {
    href: `#/services/${encodeURIComponent(s.name)}`, 'data-service-link': s.name,
    class: 'nav-service', title: `${s.name} (${s.ty})`,
  }, h('span', {class: `ty-dot ty-${tyClass(s.ty)}`}), s.name)));
  highlightService();
}

export function setDeployments(deployments) {
  store.deployments = deployments;
}

export function tyClass(ty) {
  return {Service: 'service', VirtualObject: 'object', Workflow: 'workflow'}[ty] || 'neutral';
}

export function highlightService() {
  const m = location.hash.match(/^#\/services\/([^/?]+)/);
  const current = m ? decodeURIComponent(m[1]) : null;
  for (const a of document.querySelectorAll('[data-service-link]')) {
    a.classList.toggle('active', a.getAttribute('data-service-link') === current);
  }
}

/** A short message in the corner; kind is 'ok', 'error' or 'info'. */
export function toast(message, kind = 'info') {
  const box = document.getElementById('toasts');
  if (!box) return;
  const el = h('div', {class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : 'status'},
      icon(kind === 'error' ? 'alert' : 'check', 14), h('span', null, message));
  el.addEventListener('click', () => el.remove());
  box.append(el);
  setTimeout(() => el.classList.add('leaving'), 4200);
  setTimeout(() => el.remove(), 4600);
}

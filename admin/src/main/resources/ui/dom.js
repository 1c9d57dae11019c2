// Small DOM helpers. Every piece of text goes in through textContent or attributes, never innerHTML,
// so whatever the API answers is shown, not interpreted.

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * h('div', {class: 'x', 'data-testid': 'y', onclick: fn}, 'text', otherNode, [more, nodes])
 * Attributes whose value is null, undefined or false are left out; `true` sets an empty attribute.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el, attrs) {
  if (!attrs) return;
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else if (name === 'value' && 'value' in el) {
      el.value = value;
    } else if (name === 'checked' || name === 'disabled' || name === 'selected') {
      el[name] = Boolean(value);
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replaces the children of el. */
export function mount(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

// Icons: fixed path data of our own (Lucide-style strokes), built with createElementNS.
const ICONS = {
  overview: ['M3 12l9-9 9 9', 'M5 10v10h5v-6h4v6h5V10'],
  services: ['M21 16V8a2 2 0 0 0-1-1.73l-7-4a2 2 0 0 0-2 0l-7 4A2 2 0 0 0 3 8v8a2 2 0 0 0 1 1.73l7 4a2 2 0 0 0 2 0l7-4A2 2 0 0 0 21 16z', 'M3.3 7L12 12l8.7-5', 'M12 22V12'],
  invocations: ['M16 18l6-6-6-6', 'M8 6l-6 6 6 6'],
  play: ['M6 4l14 8-14 8z'],
  plus: ['M12 5v14', 'M5 12h14'],
  refresh: ['M21 12a9 9 0 1 1-2.64-6.36', 'M21 3v6h-6'],
  close: ['M18 6L6 18', 'M6 6l12 12'],
  globe: ['M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20z', 'M2 12h20', 'M12 2a15 15 0 0 1 0 20', 'M12 2a15 15 0 0 0 0 20'],
  fn: ['M9 20c2 0 3-1 3.5-4l2-10C15 3 16 2 18 2', 'M8 10h8'],
  copy: ['M9 9h11v11H9z', 'M5 15H4V4h11v1'],
  chevron: ['M9 6l6 6-6 6'],
  docs: ['M4 4h10l6 6v10H4z', 'M14 4v6h6'],
  clock: ['M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20z', 'M12 6v6l4 2'],
  alert: ['M12 2L2 21h20z', 'M12 9v5', 'M12 17v.5'],
  trash: ['M3 6h18', 'M8 6V4h8v2', 'M6 6l1 15h10l1-15'],
  check: ['M5 12l5 5L20 7'],
  lock: ['M5 11h14v10H5z', 'M8 11V7a4 4 0 0 1 8 0v4'],
  link: ['M10 14a5 5 0 0 0 7 0l3-3a5 5 0 0 0-7-7l-1 1', 'M14 10a5 5 0 0 0-7 0l-3 3a5 5 0 0 0 7 7l1-1'],
  subscriptions: ['M4 11a9 9 0 0 1 9 9', 'M4 4a16 16 0 0 1 16 16', 'M5 19.5v.5'],
  deadletters: ['M3 5h18v14H3z', 'M3 7l9 6 9-6'],
};

/**
 * A Remove button that asks twice: the first click arms it for four seconds ("Confirm remove"), the second runs
 * remove(), which resolves once done or rejects with the message to show.
 */
export function removeButton(testid, remove, done, failed) {
  const button = h('button', {class: 'btn btn-sm btn-ghost btn-danger-text', type: 'button', 'data-testid': testid},
      icon('trash', 13), 'Remove');
  let armed = false;
  button.addEventListener('click', async () => {
    if (!armed) {
      armed = true;
      button.lastChild.textContent = 'Confirm remove';
      button.classList.add('armed');
      setTimeout(() => {
        armed = false;
        button.lastChild.textContent = 'Remove';
        button.classList.remove('armed');
      }, 4000);
      return;
    }
    button.disabled = true;
    try {
      await remove();
      done();
    } catch (e) {
      button.disabled = false;
      failed(e);
    }
  });
  return button;
}

/** A view's title line: its name, what it shows, and its buttons. */
export function pageHeader(title, subtitle, ...actions) {
  return h('header', {class: 'page-header'},
      h('div', null, h('h1', null, title), subtitle ? h('p', {class: 'page-subtitle'}, subtitle) : null),
      h('div', {class: 'page-actions'}, actions));
}

export function icon(name, size = 16) {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', size);
  svg.setAttribute('height', size);
  svg.setAttribute('fill', 'none');
  svg.setAttribute('stroke', 'currentColor');
  svg.setAttribute('stroke-width', '2');
  svg.setAttribute('stroke-linecap', 'round');
  svg.setAttribute('stroke-linejoin', 'round');
  svg.setAttribute('aria-hidden', 'true');
  svg.classList.add('icon');
  for (const d of ICONS[name] || []) {
    const path = document.createElementNS(SVG_NS, 'path');
    path.setAttribute('d', d);
    svg.append(path);
  }
  return svg;
}

/** JSON pretty-printed with colours: spans built from tokens, text only. */
export function jsonView(value) {
  const pre = h('pre', {class: 'json'});
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  const re = /("(?:\\u[a-fA-F0-9]{4}|\\[^u]|[^\\"])*")(\s*:)?|\b(true|false|null)\b|-?\d+(?:\.\d*)?(?:[eE][+-]?\d+)?/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index > last) pre.append(text.slice(last, m.index));
    let cls = 'j-num';
    if (m[1]) cls = m[2] ? 'j-key' : 'j-str';
    else if (m[3]) cls = m[3] === 'null' ? 'j-null' : 'j-bool';
    pre.append(h('span', {class: cls}, m[1] || m[0]));
    if (m[2]) pre.append(m[2]);
    last = m.index + m[0].length;
  }
  if (last < text.length) pre.append(text.slice(last));
  return pre;
}

/** Body text shown as formatted JSON when it parses, as plain text otherwise. */
export function bodyView(text) {
  if (text === '' || text === null || text === undefined) return h('div', {class: 'muted body-empty'}, '(empty body)');
  try {
    return jsonView(JSON.stringify(JSON.parse(text), null, 2));
  } catch {
    return h('pre', {class: 'json'}, text);
  }
}

export function relativeTime(iso, now = Date.now()) {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const diff = now - t;
  const abs = Math.abs(diff);
  const s = formatDuration(abs, true);
  if (abs < 1000) return diff >= 0 ? 'just now' : 'in <1s';
  return diff >= 0 ? `${s} ago` : `in ${s}`;
}

export function formatDuration(ms, coarse = false) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return coarse ? `${Math.floor(s)}s` : `${s.toFixed(s < 10 ? 2 : 1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return coarse ? `${m}m` : `${m}m ${Math.floor(s % 60)}s`;
  const hr = Math.floor(m / 60);
  if (hr < 24) return coarse ? `${hr}h` : `${hr}h ${m % 60}m`;
  return coarse ? `${Math.floor(hr / 24)}d` : `${Math.floor(hr / 24)}d ${hr % 24}h`;
}

export function formatTimestamp(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
      `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** A time element: relative text, the exact time on hover. */
export function timeEl(iso, extra = {}) {
  if (!iso) return h('span', {class: 'muted'}, '—');
  return h('time', {datetime: iso, title: formatTimestamp(iso), ...extra}, relativeTime(iso));
}

/** A button that copies text to the clipboard. */
export function copyButton(text, label = 'Copy') {
  const btn = h('button', {class: 'btn btn-ghost btn-xs', type: 'button', title: label}, icon('copy', 13));
  btn.addEventListener('click', async (e) => {
    e.stopPropagation();
    try {
      await navigator.clipboard.writeText(typeof text === 'function' ? text() : text);
      btn.classList.add('copied');
      setTimeout(() => btn.classList.remove('copied'), 900);
    } catch {
      // Clipboard unavailable (http on a non-localhost origin): select nothing, stay quiet.
    }
  });
  return btn;
}

export function badge(text, kind, attrs = {}) {
  return h('span', {class: `badge badge-${kind}`, ...attrs}, text);
}

export function serviceTypeBadge(ty) {
  const kind = {Service: 'service', VirtualObject: 'object', Workflow: 'workflow'}[ty] || 'neutral';
  return badge(ty || '?', kind, {'data-testid': 'service-type'});
}

export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

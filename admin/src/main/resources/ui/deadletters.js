// Dead letters: the newest records of the dead-letter topic (GET /dead-letters), read-only. Records Ferry could not
// process, or invocations a service asked to dead-letter when they fail; each with why, where it came from, and
// the record itself, cut short.
import {h, mount, icon, timeEl, badge, pageHeader} from './dom.js';
import {api} from './api.js';

const LIMITS = [20, 50, 200];
/** Characters of a record shown in the table; the admin API already cuts values at 4 KiB. */
const SHOWN_CHARS = 600;

export async function render(main, route, ctx) {
  const limit = LIMITS.includes(Number(route.query.get('limit'))) ? Number(route.query.get('limit')) : LIMITS[0];
  const answer = await api.deadLetters(limit);
  if (!ctx.isCurrent()) return;
  const letters = answer.dead_letters || [];
  const refresh = h('button', {class: 'btn btn-icon', type: 'button', title: 'Refresh', 'data-testid': 'dead-letters-refresh',
    onclick: () => ctx.refresh()}, icon('refresh', 15));
  const limitSelect = h('select', {class: 'input input-sm', 'aria-label': 'How many', 'data-testid': 'dead-letters-limit',
    onchange: (e) => {
      location.hash = `#/dead-letters?limit=${e.target.value}`;
    }}, LIMITS.map((n) => h('option', {value: String(n), selected: n === limit}, `Newest ${n}`)));
  mount(main, h('div', {class: 'page page-wide', 'data-testid': 'dead-letters'},
      pageHeader('Dead letters', `The newest records of ${answer.topic}: commands Ferry could not process, and invocations `
          + 'whose service asks for failures here. Read-only.', limitSelect, refresh),
      answer.partial ? h('div', {class: 'callout callout-info', 'data-testid': 'dead-letters-partial'}, icon('alert', 15),
          h('span', null, 'Not every partition could be read in time: older or newer records may be missing. Refresh to try again.')) : null,
      h('section', {class: 'card'},
          h('div', {class: 'card-header'}, h('h2', null, 'Records', h('span', {class: 'count'}, String(letters.length)))),
          letters.length === 0
              ? h('div', {class: 'card-body muted', 'data-testid': 'dead-letters-empty'}, 'No dead letters.')
              : h('div', {class: 'table-wrap'}, h('table', {class: 'table', 'data-testid': 'dead-letters-table'},
                  h('thead', null, h('tr', null, h('th', null, 'Time'), h('th', null, 'Position'), h('th', null, 'Reason'),
                      h('th', null, 'Record'))),
                  h('tbody', null, letters.map(row)))))));
}

function row(d) {
  const position = `${d.topic}/${d.partition}/${d.offset}`;
  return h('tr', {'data-testid': 'dead-letter-row', 'data-position': position},
      h('td', {class: 'nowrap'}, timeEl(d.timestamp)),
      h('td', {class: 'nowrap'}, h('div', {class: 'mono small', 'data-testid': 'dead-letter-position'}, position),
          d.source ? h('div', {class: 'cell-doc mono', 'data-testid': 'dead-letter-source', title: 'Where the record came from'},
              `from ${d.source.topic}/${d.source.partition}/${d.source.offset}`) : null),
      h('td', null, d.kind ? badge(d.kind, 'neutral') : null,
          h('div', {class: 'small', 'data-testid': 'dead-letter-reason'}, d.reason || '—')),
      h('td', null, record(d)));
}

function record(d) {
  const key = d.key === undefined ? null : h('div', {class: 'cell-doc mono'}, 'key ', text(d.key));
  if (d.value === undefined) return h('div', null, key, h('span', {class: 'muted small'}, 'no value'));
  let value = text(d.value);
  const cut = d.value_truncated || value.length > SHOWN_CHARS;
  if (value.length > SHOWN_CHARS) value = value.slice(0, SHOWN_CHARS);
  return h('div', null, key,
      h('pre', {class: 'mono small dead-letter-value', 'data-testid': 'dead-letter-value'}, value + (cut ? '…' : '')),
      cut ? h('div', {class: 'cell-doc'}, `${d.value_bytes} bytes, cut short`) : null);
}

/** Text as it is; bytes that are not UTF-8 as the admin API gives them, base64. */
function text(v) {
  return typeof v === 'string' ? v : `base64:${v.$base64}`;
}

// The playground of one handler: builds the request (target key, call or send, idempotency key, delay, body from
// the input schema), sends it to the ingress, shows status, readable headers, body and time.
import {h, mount, icon, badge, bodyView, jsonView, copyButton, formatDuration, serviceTypeBadge} from './dom.js';
import {ingressRequest, ingressPath, ingressUrl, ingressKnown, errorMessage, headerBytes} from './api.js';
import {initialBody, formFields, schemaSummary} from './schema.js';
import {tyClass} from './store.js';

/** What the user typed per handler, kept while the page lives so that navigating away loses nothing. */
const drafts = new Map();

const REASONS = {
  200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 400: 'Bad Request', 401: 'Unauthorized',
  403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict', 413: 'Payload Too Large',
  415: 'Unsupported Media Type', 422: 'Unprocessable Content', 429: 'Too Many Requests', 470: 'Not Ready',
  500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

function isJsonInput(handler) {
  const d = (handler.input_description || '').toLowerCase();
  return !d || d.includes('json') || d === 'none' || !d.includes('/');
}

export function playground(svc, handler) {
  const id = `${svc.name}/${handler.name}`;
  const keyed = svc.ty === 'VirtualObject' || svc.ty === 'Workflow';
  const keyLabel = svc.ty === 'Workflow' ? 'Workflow ID' : 'Object key';
  const schema = handler.input_json_schema;
  const fields = formFields(schema);
  const jsonInput = isJsonInput(handler);
  let d = drafts.get(id);
  if (!d) {
    d = {mode: 'call', key: '', idem: '', delay: '', body: jsonInput ? initialBody(schema) : '', tab: fields ? 'form' : 'json', response: null};
    drafts.set(id, d);
  }
  let inFlight = null;

  // ---- target -------------------------------------------------------------------------------------------
  const urlText = h('span', {class: 'endpoint-url', 'data-testid': 'pg-url'});
  const methodPill = h('span', {class: 'method'}, 'POST');
  const endpoint = h('div', {class: 'endpoint'}, methodPill, urlText, copyButton(() => ingressUrl(path()), 'Copy URL'));

  const keyInput = keyed ? h('input', {
    id: 'pg-key', 'data-testid': 'pg-key', class: 'input input-mono', value: d.key, placeholder: svc.ty === 'Workflow' ? 'e.g. ann' : 'e.g. my-counter',
    autocomplete: 'off', spellcheck: 'false',
  }) : null;

  const modeCall = h('button', {type: 'button', class: 'seg', 'data-testid': 'pg-mode-call', 'data-mode': 'call'}, 'Call');
  const modeSend = h('button', {type: 'button', class: 'seg', 'data-testid': 'pg-mode-send', 'data-mode': 'send'}, 'Send');
  const modeHint = h('div', {class: 'field-hint', 'data-testid': 'pg-mode-hint'});

  const idemInput = h('input', {
    id: 'pg-idempotency', 'data-testid': 'pg-idempotency', class: 'input input-mono', value: d.idem,
    placeholder: 'optional', autocomplete: 'off', spellcheck: 'false',
  });
  const idemGen = h('button', {type: 'button', class: 'btn btn-xs', 'data-testid': 'pg-idempotency-random', title: 'Generate a random key', onclick: () => {
    idemInput.value = crypto.randomUUID ? crypto.randomUUID() : `key-${Date.now()}`;
    d.idem = idemInput.value;
    sync();
  }}, 'random');
  const delayInput = h('input', {
    id: 'pg-delay', 'data-testid': 'pg-delay', class: 'input input-mono', value: d.delay, placeholder: 'e.g. 10s, 5m, 1h',
    autocomplete: 'off', spellcheck: 'false',
  });
  const delayField = field('Delay', delayInput, 'Send only: the invocation starts after this long.', 'pg-delay');

  // ---- body ---------------------------------------------------------------------------------------------
  const textarea = h('textarea', {
    id: 'pg-body', 'data-testid': 'pg-body', class: 'input code-input', spellcheck: 'false', rows: '7',
    'aria-label': 'Request body',
  });
  textarea.value = d.body;
  const bodyStatus = h('div', {class: 'body-status', 'data-testid': 'pg-body-status'});
  const formBox = fields ? h('div', {class: 'form-grid', 'data-testid': 'pg-form'}) : null;
  const tabForm = fields ? h('button', {type: 'button', class: 'tab', 'data-testid': 'pg-tab-form'}, 'Form') : null;
  const tabJson = h('button', {type: 'button', class: 'tab', 'data-testid': 'pg-tab-json'}, 'JSON');
  const resetBody = h('button', {type: 'button', class: 'btn btn-ghost btn-xs', 'data-testid': 'pg-reset-body', title: 'Start again from the schema\'s example',
    onclick: () => {
      d.body = jsonInput ? initialBody(schema) : '';
      textarea.value = d.body;
      fillForm();
      sync();
    }}, 'Reset');
  const formInputs = new Map();
  if (fields) {
    for (const f of fields) {
      let input;
      const attrs = {id: `pg-field-${f.name}`, 'data-testid': `pg-field-${f.name}`, 'data-field': f.name, class: 'input'};
      if (f.kind === 'boolean') {
        input = h('select', attrs, h('option', {value: ''}, '—'), h('option', {value: 'true'}, 'true'), h('option', {value: 'false'}, 'false'));
      } else if (f.kind === 'enum') {
        input = h('select', attrs, h('option', {value: ''}, '—'), f.enumValues.map((v) => h('option', {value: String(v)}, String(v))));
      } else {
        input = h('input', {...attrs, type: f.kind === 'string' ? 'text' : 'number', step: f.kind === 'integer' ? '1' : 'any',
          min: f.minimum, max: f.maximum, autocomplete: 'off', spellcheck: 'false',
          placeholder: f.kind === 'string' ? (f.format || 'text') : f.kind});
      }
      input.addEventListener('input', () => formToBody());
      input.addEventListener('change', () => formToBody());
      formInputs.set(f.name, {f, input});
      formBox.append(h('div', {class: 'field'},
          h('label', {for: attrs.id, class: 'field-label'}, h('span', {class: 'mono'}, f.name), f.required ? h('span', {class: 'req', title: 'required'}, '*') : null,
              h('span', {class: 'field-type'}, f.kind === 'enum' ? 'enum' : f.kind)),
          input,
          f.description ? h('div', {class: 'field-hint'}, f.description) : null));
    }
  }

  function parsedBody() {
    try {
      return {ok: true, value: JSON.parse(d.body)};
    } catch (e) {
      return {ok: false, error: e.message};
    }
  }

  function fillForm() {
    if (!fields) return;
    const p = d.body.trim() ? parsedBody() : {ok: true, value: {}};
    const obj = p.ok && p.value && typeof p.value === 'object' && !Array.isArray(p.value) ? p.value : {};
    for (const {f, input} of formInputs.values()) {
      const v = obj[f.name];
      input.value = v === undefined || v === null ? '' : String(v);
    }
  }

  function formToBody() {
    const p = d.body.trim() ? parsedBody() : {ok: true, value: {}};
    const obj = p.ok && p.value && typeof p.value === 'object' && !Array.isArray(p.value) ? {...p.value} : {};
    for (const {f, input} of formInputs.values()) {
      const raw = input.value;
      if (raw === '') {
        if (f.kind === 'string' && f.required) obj[f.name] = '';
        else delete obj[f.name];
      } else if (f.kind === 'integer' || f.kind === 'number') {
        const n = Number(raw);
        obj[f.name] = Number.isFinite(n) ? n : raw;
      } else if (f.kind === 'boolean') {
        obj[f.name] = raw === 'true';
      } else if (f.kind === 'enum') {
        const original = f.enumValues.find((v) => String(v) === raw);
        obj[f.name] = original === undefined ? raw : original;
      } else {
        obj[f.name] = raw;
      }
    }
    d.body = JSON.stringify(obj, null, 2);
    textarea.value = d.body;
    sync();
  }

  // ---- send ---------------------------------------------------------------------------------------------
  const sendButton = h('button', {type: 'button', class: 'btn btn-primary btn-send', id: 'pg-send', 'data-testid': 'pg-send'}, icon('play', 13), 'Send');
  const sendError = h('div', {class: 'send-error', 'data-testid': 'pg-send-error', role: 'alert'});
  const curlBox = h('pre', {class: 'curl', 'data-testid': 'pg-curl'});
  const curl = h('details', {class: 'curl-details'}, h('summary', null, 'As a curl command'),
      h('div', {class: 'curl-wrap'}, curlBox, copyButton(() => curlBox.textContent, 'Copy curl command')));

  function path() {
    const segs = keyed ? [svc.name, d.key || '{key}', handler.name] : [svc.name, handler.name];
    let p = ingressPath(...segs);
    if (keyed && !d.key) p = p.replace(encodeURIComponent('{key}'), '{key}');
    if (d.mode === 'send') {
      p += '/send';
      if (d.delay.trim()) p += `?delay=${encodeURIComponent(d.delay.trim())}`;
    }
    return p;
  }

  function requestHeaders() {
    const headers = {};
    if (d.body.trim()) headers['content-type'] = jsonInput ? 'application/json' : (handler.input_description || 'application/octet-stream');
    if (d.idem.trim()) headers['idempotency-key'] = d.idem.trim();
    return headers;
  }

  /** The headers as fetch can send them: an idempotency key of any text travels as its UTF-8 bytes. */
  function wireHeaders(headers) {
    if (headers['idempotency-key']) headers['idempotency-key'] = headerBytes(headers['idempotency-key']);
    return headers;
  }

  function problems() {
    const out = [];
    if (keyed && !d.key.trim()) out.push(`Enter the ${keyLabel.toLowerCase()}.`);
    if (jsonInput && d.body.trim()) {
      const p = parsedBody();
      if (!p.ok) out.push(`The body is not valid JSON: ${p.error}`);
    }
    return out;
  }

  function shellQuote(s) {
    return `'${s.replace(/'/g, `'\\''`)}'`;
  }

  function sync() {
    mount(urlText, breakable(ingressUrl(path())));
    modeCall.classList.toggle('active', d.mode === 'call');
    modeSend.classList.toggle('active', d.mode === 'send');
    modeCall.setAttribute('aria-pressed', String(d.mode === 'call'));
    modeSend.setAttribute('aria-pressed', String(d.mode === 'send'));
    modeHint.textContent = d.mode === 'call'
        ? 'Call: waits for the handler\'s answer.'
        : 'Send: answers 202 at once with the invocation id; the handler runs in the background.';
    delayInput.disabled = d.mode !== 'send';
    delayField.classList.toggle('disabled', d.mode !== 'send');
    if (fields) {
      tabForm.classList.toggle('active', d.tab === 'form');
      tabJson.classList.toggle('active', d.tab === 'json');
      formBox.hidden = d.tab !== 'form';
      textarea.hidden = d.tab !== 'json';
    } else {
      tabJson.classList.add('active');
    }
    if (!jsonInput || !d.body.trim()) {
      bodyStatus.className = 'body-status';
      bodyStatus.textContent = d.body.trim() ? '' : 'empty body: sent without one';
    } else {
      const p = parsedBody();
      bodyStatus.className = `body-status ${p.ok ? 'ok' : 'bad'}`;
      bodyStatus.textContent = p.ok ? 'valid JSON' : `invalid JSON: ${p.error}`;
    }
    const headers = requestHeaders();
    const parts = ['curl -i', shellQuote(ingressUrl(path()))];
    for (const [k, v] of Object.entries(headers)) if (k !== 'content-type' || !jsonInput) parts.push('-H', shellQuote(`${k}: ${v}`));
    if (d.body.trim()) {
      let compact = d.body;
      if (jsonInput) {
        const p = parsedBody();
        if (p.ok) compact = JSON.stringify(p.value);
      }
      parts.push(jsonInput ? '--json' : '--data-binary', shellQuote(compact));
    } else {
      parts.push('-X POST');
    }
    curlBox.textContent = parts.join(' ');
    sendButton.disabled = Boolean(inFlight);
  }

  async function send() {
    if (inFlight) return;
    const issues = problems();
    mount(sendError, issues.length ? h('div', {class: 'callout callout-error'}, icon('alert', 15), h('div', null, issues.map((i) => h('div', null, i)))) : null);
    if (issues.length) return;
    await ingressKnown;
    const controller = new AbortController();
    const label = d.mode === 'call' ? 'Call' : 'Send';
    const started = performance.now();
    inFlight = controller;
    sync();
    showPending(label, started, controller);
    const requestPath = path();
    try {
      const r = await ingressRequest({
        method: 'POST', path: requestPath, headers: wireHeaders(requestHeaders()), body: d.body.trim() ? d.body : undefined,
        signal: controller.signal,
      });
      d.response = {kind: 'done', label, path: requestPath, ...r};
    } catch (e) {
      d.response = e.name === 'AbortError'
          ? {kind: 'aborted', label, elapsed: performance.now() - started}
          : {kind: 'error', label, message: e.message, elapsed: performance.now() - started};
    } finally {
      inFlight = null;
    }
    renderResponse();
    sync();
  }

  async function attach(invocationId) {
    if (inFlight) return;
    await ingressKnown;
    const controller = new AbortController();
    const started = performance.now();
    inFlight = controller;
    sync();
    showPending('Attach', started, controller);
    const attachPath = `/restate/invocation/${encodeURIComponent(invocationId)}/attach`;
    try {
      const r = await ingressRequest({method: 'GET', path: attachPath, signal: controller.signal});
      d.response = {kind: 'done', label: 'Attach', path: attachPath, attachedTo: invocationId, ...r};
    } catch (e) {
      d.response = e.name === 'AbortError'
          ? {kind: 'aborted', label: 'Attach', elapsed: performance.now() - started}
          : {kind: 'error', label: 'Attach', message: e.message, elapsed: performance.now() - started};
    } finally {
      inFlight = null;
    }
    renderResponse();
    sync();
  }

  // ---- response -----------------------------------------------------------------------------------------
  const responseBody = h('div', {class: 'response-body', id: 'pg-response', 'data-testid': 'pg-response'});
  let pendingTimer = null;

  function showPending(label, started, controller) {
    const elapsed = h('span', {class: 'mono', 'data-testid': 'pg-pending-elapsed'}, '0ms');
    clearInterval(pendingTimer);
    pendingTimer = setInterval(() => {
      if (!responseBody.isConnected) return clearInterval(pendingTimer);
      elapsed.textContent = formatDuration(performance.now() - started);
    }, 100);
    mount(responseBody, h('div', {class: 'pending', 'data-testid': 'pg-pending'},
        h('span', {class: 'spinner'}),
        h('div', null, h('div', null, label === 'Attach' ? 'Waiting for the invocation\'s result… ' : 'Waiting for the answer… ', elapsed),
            h('div', {class: 'field-hint'}, 'Stopping the wait does not stop the invocation.')),
        h('button', {type: 'button', class: 'btn btn-sm', 'data-testid': 'pg-abort', onclick: () => controller.abort()}, 'Stop waiting')));
  }

  function renderResponse() {
    clearInterval(pendingTimer);
    const r = d.response;
    if (!r) {
      mount(responseBody, h('div', {class: 'response-empty', 'data-testid': 'pg-response-empty'},
          icon('play', 22), h('div', null, 'Send a request to see the answer here: status, headers and body.'),
          h('div', {class: 'field-hint'}, h('kbd', null, 'Ctrl'), ' + ', h('kbd', null, 'Enter'), ' sends from anywhere in the form.')));
      return;
    }
    if (r.kind === 'aborted') {
      mount(responseBody, h('div', {class: 'callout callout-info', 'data-testid': 'pg-aborted'},
          `Stopped waiting after ${formatDuration(r.elapsed)}. The invocation goes on; find it under Invocations.`));
      return;
    }
    if (r.kind === 'error') {
      mount(responseBody, h('div', {class: 'callout callout-error', 'data-testid': 'pg-network-error'}, icon('alert', 16),
          h('div', null, h('strong', null, 'The request did not reach the ingress'),
              h('div', null, r.message),
              h('div', {class: 'field-hint'}, `Is the ingress answering on ${ingressUrl('/')}?`))));
      return;
    }
    let invocationId = r.restateId || r.attachedTo || null;
    let parsed = null;
    try {
      parsed = JSON.parse(r.body);
    } catch {
      // not JSON
    }
    if (!invocationId && parsed && typeof parsed.invocationId === 'string') invocationId = parsed.invocationId;
    const cls = r.status < 300 ? 'ok' : r.status < 400 ? 'info' : r.status === 470 ? 'warn' : 'bad';
    const reason = r.statusText || REASONS[r.status] || '';
    const failure = r.status >= 400 ? errorMessage(r.status, r.body) : null;
    mount(responseBody,
        h('div', {class: 'response-summary'},
            h('span', {class: `status-pill status-${cls}`, 'data-testid': 'pg-status', 'data-status': String(r.status)}, `${r.status} ${reason}`.trim()),
            h('span', {class: 'response-meta'}, icon('clock', 13), h('span', {'data-testid': 'pg-elapsed'}, formatDuration(r.elapsed))),
            h('span', {class: 'response-meta muted'}, r.label),
            h('span', {class: 'response-meta mono muted small response-path'}, r.path)),
        invocationId ? h('div', {class: 'invocation-line'},
            h('span', {class: 'muted small'}, 'Invocation'),
            h('code', {'data-testid': 'pg-invocation-id'}, invocationId), copyButton(invocationId, 'Copy invocation id'),
            h('a', {class: 'btn btn-xs', href: `#/invocations?id=${encodeURIComponent(invocationId)}`, 'data-testid': 'pg-open-invocation'}, 'Show in invocations'),
            r.status === 202 ? h('button', {type: 'button', class: 'btn btn-xs', 'data-testid': 'pg-attach', onclick: () => attach(invocationId)}, 'Attach') : null)
          : null,
        failure && r.status !== 470 ? h('div', {class: 'callout callout-error compact'}, icon('alert', 14), h('span', null, failure)) : null,
        h('div', {class: 'response-section'},
            h('div', {class: 'section-title'}, 'Body'),
            h('div', {class: 'body-view', 'data-testid': 'pg-response-body'}, bodyView(r.body))),
        h('div', {class: 'response-section'},
            h('div', {class: 'section-title'}, 'Headers'),
            h('table', {class: 'headers-table', 'data-testid': 'pg-headers'},
                h('tbody', null, r.headers.map(([k, v]) => h('tr', null, h('td', {class: 'mono'}, k), h('td', {class: 'mono'}, v))))),
            r.restateId ? null : h('div', {class: 'field-hint'},
                'Only the headers the ingress exposes to other origins are readable here (x-restate-id is not).')));
  }

  // ---- wiring -------------------------------------------------------------------------------------------
  if (keyInput) keyInput.addEventListener('input', () => {
    d.key = keyInput.value;
    sync();
  });
  idemInput.addEventListener('input', () => {
    d.idem = idemInput.value;
    sync();
  });
  delayInput.addEventListener('input', () => {
    d.delay = delayInput.value;
    sync();
  });
  textarea.addEventListener('input', () => {
    d.body = textarea.value;
    sync();
  });
  for (const b of [modeCall, modeSend]) b.addEventListener('click', () => {
    d.mode = b.getAttribute('data-mode');
    sync();
  });
  if (fields) {
    tabForm.addEventListener('click', () => {
      d.tab = 'form';
      fillForm();
      sync();
    });
    tabJson.addEventListener('click', () => {
      d.tab = 'json';
      sync();
    });
  }
  sendButton.addEventListener('click', send);

  const requestCard = h('section', {class: 'card pg-request', 'data-testid': 'pg-request'},
      h('div', {class: 'card-header'}, h('h2', null, 'Request')),
      h('div', {class: 'card-body'},
          endpoint,
          h('div', {class: 'pg-row'},
              h('div', {class: 'field'}, h('span', {class: 'field-label'}, 'Mode'),
                  h('div', {class: 'segmented', role: 'group', 'aria-label': 'Call or send'}, modeCall, modeSend), modeHint)),
          keyed ? h('div', {class: 'pg-row'}, field(keyLabel, keyInput, svc.ty === 'Workflow'
              ? 'Each workflow ID runs its run handler once.' : 'Exclusive handlers run one at a time per key.', 'pg-key', true)) : null,
          h('div', {class: 'pg-row pg-row-2'},
              field('Idempotency key', h('div', {class: 'input-with-action'}, idemInput, idemGen), 'Repeats with the same key get the first answer.', 'pg-idempotency'),
              delayField),
          h('div', {class: 'body-header'},
              h('span', {class: 'field-label'}, 'Body'),
              h('div', {class: 'tabs'}, tabForm, tabJson),
              h('span', {class: 'spacer'}),
              schema ? h('span', {class: 'muted small'}, schemaSummary(schema) || 'schema') : h('span', {class: 'muted small'}, handler.input_description || ''),
              jsonInput ? resetBody : null),
          formBox, textarea, bodyStatus,
          sendError,
          h('div', {class: 'send-row'}, sendButton, h('span', {class: 'field-hint'}, h('kbd', null, 'Ctrl'), ' + ', h('kbd', null, 'Enter'))),
          curl));

  const responseCard = h('section', {class: 'card pg-response-card'},
      h('div', {class: 'card-header'}, h('h2', null, 'Response')),
      h('div', {class: 'card-body'}, responseBody));

  const root = h('div', {class: 'playground', 'data-testid': 'playground', 'data-service': svc.name, 'data-handler': handler.name},
      h('header', {class: 'detail-header'},
          h('div', {class: 'crumbs'}, h('a', {href: `#/services/${encodeURIComponent(svc.name)}`}, svc.name), h('span', {class: 'sep'}, '/'),
              h('span', null, 'Playground')),
          h('div', {class: 'detail-title'}, h('span', {class: `title-icon ty-bg-${tyClass(svc.ty)}`}, icon('fn', 20)),
              h('h1', {class: 'mono'}, h('span', {class: 'muted-strong'}, `${svc.name}/`), handler.name),
              serviceTypeBadge(svc.ty), handler.ty ? badge(handler.ty, handler.ty.toLowerCase()) : null),
          handler.documentation ? h('p', {class: 'detail-doc'}, handler.documentation) : null,
          h('div', {class: 'detail-meta'},
              h('span', {class: 'meta-item'}, h('span', {class: 'muted'}, 'in'), h('span', {class: 'mono'}, handler.input_description || '—')),
              h('span', {class: 'meta-item'}, h('span', {class: 'muted'}, 'out'), h('span', {class: 'mono'}, handler.output_description || '—')),
              schema ? schemaToggle('Input schema', schema) : null,
              handler.output_json_schema ? schemaToggle('Output schema', handler.output_json_schema) : null)),
      h('div', {class: 'pg-grid'}, requestCard, responseCard));

  root.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      send();
    }
  });
  fillForm();
  sync();
  renderResponse();
  return root;
}

/** Text with line-break opportunities after each slash, so that URLs wrap between segments. */
function breakable(text) {
  const out = [];
  for (const part of text.split(/(?<=[/?&])/)) out.push(part, h('wbr'));
  return out;
}

function field(label, control, hint, id, required = false) {
  return h('div', {class: 'field'},
      h('label', {class: 'field-label', for: id}, label, required ? h('span', {class: 'req'}, '*') : null),
      control, hint ? h('div', {class: 'field-hint'}, hint) : null);
}

function schemaToggle(label, schema) {
  return h('details', {class: 'schema-details inline'}, h('summary', null, h('span', {class: 'schema-tag'}, label)), jsonView(schema));
}

// The form that registers a deployment: POST /deployments {"uri"}.
import {h, mount, icon} from './dom.js';
import {api} from './api.js';
import {toast} from './store.js';

/**
 * @param onRegistered called after a successful registration (the view reloads itself)
 * @param prominent the large version for the empty state
 */
export function registerForm({onRegistered, prominent = false, autofocus = false} = {}) {
  const input = h('input', {
    id: 'register-uri', 'data-testid': 'register-uri', type: 'text', name: 'uri', autocomplete: 'off',
    spellcheck: 'false', placeholder: 'http://127.0.0.1:9080', 'aria-label': 'Deployment URI', required: true,
    class: 'input input-mono', autofocus,
  });
  const button = h('button', {id: 'register-submit', 'data-testid': 'register-submit', class: 'btn btn-primary', type: 'submit'},
      icon('plus', 15), 'Register');
  const result = h('div', {id: 'register-result', 'data-testid': 'register-result', role: 'status', 'aria-live': 'polite'});

  const form = h('form', {id: 'register-form', 'data-testid': 'register-form', class: `register-form${prominent ? ' prominent' : ''}`, novalidate: true},
      h('label', {for: 'register-uri', class: 'field-label'}, 'Deployment URI'),
      h('div', {class: 'input-row'}, input, button),
      h('div', {class: 'field-hint'}, 'The base URL of an HTTP service that answers ', h('code', null, 'GET /discover'),
          '. Ferry asks it which services and handlers it serves.'),
      result);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const uri = input.value.trim();
    if (!uri) {
      showError(result, 'Enter the URI of the deployment, e.g. http://127.0.0.1:9080');
      input.focus();
      return;
    }
    button.disabled = true;
    input.disabled = true;
    mount(result, h('div', {class: 'callout callout-info'}, h('span', {class: 'spinner'}),
        h('span', null, 'Asking ', h('code', null, uri), ' what it serves…')));
    try {
      const answer = await api.register(uri);
      const names = (answer.json.services || []).map((s) => s.name);
      const verb = answer.status === 201 ? 'Registered' : 'Already registered';
      mount(result, h('div', {class: 'callout callout-ok', 'data-testid': 'register-ok'},
          h('strong', null, `${verb} ${answer.json.id}`),
          h('span', null, names.length ? ` — ${names.length} service${names.length === 1 ? '' : 's'}: ${names.join(', ')}` : '')));
      toast(`${verb} ${uri} (${names.join(', ') || 'no services'})`, 'ok');
      input.value = '';
      if (onRegistered) onRegistered(answer.json);
    } catch (err) {
      showError(result, err.message, err.status);
    } finally {
      button.disabled = false;
      input.disabled = false;
    }
  });
  return form;
}

function showError(result, message, status) {
  mount(result, h('div', {class: 'callout callout-error', 'data-testid': 'register-error', role: 'alert'},
      icon('alert', 16),
      h('div', null, h('strong', null, status ? `Registration failed (${status})` : 'Registration failed'),
          h('div', {class: 'error-text'}, message))));
}

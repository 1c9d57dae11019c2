// Overview: what is registered (deployments, their services and handlers) and the register form.
import {h, mount, icon, timeEl, serviceTypeBadge, badge, pageHeader, removeButton} from './dom.js';
import {api} from './api.js';
import {setServices, setDeployments, toast} from './store.js';
import {registerForm} from './register.js';

export async function render(main, route, ctx) {
  const [deployments, services] = await Promise.all([api.deployments(), api.services()]);
  if (!ctx.isCurrent()) return;
  setServices(services);
  setDeployments(deployments);
  const sorted = [...services].sort((a, b) => a.name.localeCompare(b.name));
  mount(main, deployments.length === 0 && sorted.length === 0
      ? emptyState(ctx)
      : overview(deployments, sorted, ctx, route.query.get('register') === '1'));
}

function emptyState(ctx) {
  const form = registerForm({onRegistered: () => ctx.refresh(), prominent: true, autofocus: true});
  const useExample = h('button', {class: 'link-button', type: 'button', 'data-testid': 'use-example-uri', onclick: () => {
    const input = form.querySelector('#register-uri');
    input.value = 'http://127.0.0.1:9080';
    input.focus();
  }}, 'http://127.0.0.1:9080');
  return h('div', {class: 'page'},
      pageHeader('Overview', 'Deployments, services and handlers registered with this Ferry.'),
      h('section', {class: 'empty-state card', id: 'empty-state', 'data-testid': 'empty-state'},
          h('div', {class: 'empty-illustration'}, icon('services', 34)),
          h('h2', null, 'No deployments registered yet'),
          h('p', {class: 'empty-lead'},
              'Ferry invokes your handlers over plain HTTP. Register a deployment, the address where your service answers ',
              h('code', null, 'GET /discover'), ', and its services and handlers appear here, ready to call from the playground.'),
          form,
          h('p', {class: 'empty-hint'}, 'Trying Ferry out? Start the example service with ', h('code', null, './ferry example'),
              ' and register ', useExample, '.')));
}

function overview(deployments, services, ctx, openRegister) {
  const handlerCount = services.reduce((n, s) => n + (s.handlers || []).length, 0);
  const byDeployment = new Map(deployments.map((d) => [d.id, d]));

  const registerCard = h('section', {class: 'card register-card', id: 'register-card', hidden: !openRegister},
      h('div', {class: 'card-header'}, h('h2', null, 'Register a deployment'),
          h('button', {class: 'btn btn-ghost btn-sm', type: 'button', title: 'Close', onclick: () => {
            registerCard.hidden = true;
          }}, icon('close', 14))),
      h('div', {class: 'card-body'}, registerForm({onRegistered: () => ctx.refresh()})));

  const openButton = h('button', {class: 'btn btn-primary', type: 'button', id: 'register-open', 'data-testid': 'register-open',
    onclick: () => {
      registerCard.hidden = false;
      registerCard.querySelector('#register-uri').focus();
    }}, icon('plus', 15), 'Register deployment');
  const refresh = h('button', {class: 'btn btn-icon', type: 'button', title: 'Refresh', onclick: () => ctx.refresh()}, icon('refresh', 15));

  const types = countBy(services, (s) => s.ty);
  return h('div', {class: 'page', 'data-testid': 'overview'},
      pageHeader('Overview', 'Deployments, services and handlers registered with this Ferry.', refresh, openButton),
      registerCard,
      h('div', {class: 'stats'},
          stat('Services', services.length, Object.entries(types).map(([t, n]) => `${n} ${labelOf(t, n)}`).join(' · ')),
          stat('Handlers', handlerCount, 'callable through the ingress'),
          stat('Deployments', deployments.length, deployments.length === 1 ? '1 endpoint' : `${deployments.length} endpoints`),
          h('a', {class: 'stat stat-link', href: '#/invocations'}, h('div', {class: 'stat-label'}, 'Invocations'),
              h('div', {class: 'stat-value stat-value-sm'}, 'Open the list ', icon('chevron', 16)),
              h('div', {class: 'stat-sub'}, 'status, attempts, failures'))),
      servicesCard(services, byDeployment),
      deploymentsCard(deployments, ctx));
}

function labelOf(ty, n) {
  const names = {Service: ['service', 'services'], VirtualObject: ['virtual object', 'virtual objects'], Workflow: ['workflow', 'workflows']};
  const pair = names[ty] || [ty, ty];
  return n === 1 ? pair[0] : pair[1];
}

function countBy(list, key) {
  const out = {};
  for (const item of list) out[key(item)] = (out[key(item)] || 0) + 1;
  return out;
}

function stat(label, value, sub) {
  return h('div', {class: 'stat'}, h('div', {class: 'stat-label'}, label), h('div', {class: 'stat-value'}, String(value)),
      h('div', {class: 'stat-sub'}, sub));
}

function servicesCard(services, byDeployment) {
  const rows = services.map((s) => {
    const deployment = byDeployment.get(s.deployment_id);
    const href = `#/services/${encodeURIComponent(s.name)}`;
    return h('tr', {'data-testid': 'service-row', 'data-service': s.name},
        h('td', null, h('a', {class: 'service-name', href, 'data-testid': `service-link-${s.name}`}, icon('services', 15), s.name),
            s.documentation ? h('div', {class: 'cell-doc'}, s.documentation) : null),
        h('td', null, serviceTypeBadge(s.ty)),
        h('td', null, h('div', {class: 'chips'}, (s.handlers || []).map((hd) => h('a', {
          class: 'chip chip-handler', href: `${href}/${encodeURIComponent(hd.name)}`, title: hd.documentation || `Open ${hd.name} in the playground`,
        }, icon('play', 10), hd.name)))),
        h('td', null, deployment ? h('span', {class: 'mono small', title: deployment.id}, deployment.uri) : h('span', {class: 'mono small muted'}, s.deployment_id)),
        h('td', {class: 'num'}, badge(`rev ${s.revision}`, 'neutral')));
  });
  return h('section', {class: 'card'},
      h('div', {class: 'card-header'}, h('h2', null, 'Services', h('span', {class: 'count'}, String(services.length)))),
      services.length === 0
          ? h('div', {class: 'card-body muted'}, 'No services.')
          : h('div', {class: 'table-wrap'}, h('table', {class: 'table', 'data-testid': 'services-table'},
              h('thead', null, h('tr', null, h('th', null, 'Service'), h('th', null, 'Type'), h('th', null, 'Handlers'),
                  h('th', null, 'Deployment'), h('th', {class: 'num'}, 'Revision'))),
              h('tbody', null, rows))));
}

function deploymentsCard(deployments, ctx) {
  const rows = deployments.map((d) => {
    const remove = removeButton('deployment-remove', () => api.removeDeployment(d.id), () => {
      toast(`Removed ${d.uri}`, 'ok');
      ctx.refresh();
    }, (e) => toast(`Could not remove ${d.uri}: ${e.message}`, 'error'));
    return h('tr', {'data-testid': 'deployment-row', 'data-deployment': d.id},
        h('td', null, h('span', {class: 'deployment-uri'}, icon('globe', 14), h('span', {class: 'mono'}, d.uri)),
            h('div', {class: 'cell-doc mono'}, d.id)),
        h('td', null, h('div', {class: 'chips'}, (d.services || []).map((s) => h('a', {class: 'chip', href: `#/services/${encodeURIComponent(s.name)}`},
            s.name, h('span', {class: 'chip-sub'}, `rev ${s.revision}`))))),
        h('td', {class: 'nowrap small'}, [d.protocol_type, d.http_version].filter(Boolean).join(' · ')),
        h('td', null, timeEl(d.created_at)),
        h('td', {class: 'actions'}, remove));
  });
  return h('section', {class: 'card'},
      h('div', {class: 'card-header'}, h('h2', null, 'Deployments', h('span', {class: 'count'}, String(deployments.length)))),
      h('div', {class: 'table-wrap'}, h('table', {class: 'table', 'data-testid': 'deployments-table'},
          h('thead', null, h('tr', null, h('th', null, 'Endpoint'), h('th', null, 'Services'), h('th', null, 'Protocol'),
              h('th', null, 'Registered'), h('th', {class: 'actions'}, ''))),
          h('tbody', null, rows))));
}

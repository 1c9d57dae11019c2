// The admin API (same origin as this page) and the ingress (its own port or public URL, reached with CORS).

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

/** The message of an error answer: JSON {"message"} (admin and ingress alike) or the text itself. */
export function errorMessage(status, text) {
  try {
    const json = JSON.parse(text);
    if (json && typeof json.message === 'string') return json.message;
  } catch {
    // not JSON: text/plain answers, e.g. a malformed request body
  }
  return text && text.trim() ? text.trim() : `HTTP ${status}`;
}

// FERRY_ADMIN_TOKEN: when the admin API answers 401, the UI asks for the token and sends it as a bearer token.
const TOKEN_KEY = 'ferry.adminToken';
let token = sessionStorage.getItem(TOKEN_KEY) || localStorage.getItem(TOKEN_KEY) || null;

export function hasAdminToken() {
  return Boolean(token);
}

export function setAdminToken(value, remember) {
  token = value || null;
  sessionStorage.removeItem(TOKEN_KEY);
  localStorage.removeItem(TOKEN_KEY);
  if (token) (remember ? localStorage : sessionStorage).setItem(TOKEN_KEY, token);
}

/**
 * The URL of an admin path ("/services"), relative to this page: the page is /ui/ on the admin port, so the admin
 * API is "..". Behind a reverse proxy that serves the admin at https://host/ferry/, that is https://host/ferry/services.
 */
export function adminUrl(path) {
  return `..${path}`;
}

/** The admin API's base as the browser reaches it ("host:9070/", "host/ferry/"), to show. */
export function adminBase() {
  const base = new URL(adminUrl('/'), location.href);
  return base.host + base.pathname;
}

/** Fetches an admin path with the token, e.g. a service's OpenAPI document to open in a new tab. */
export async function adminText(path) {
  const res = await fetch(adminUrl(path), {headers: token ? {authorization: `Bearer ${token}`} : {}});
  const text = await res.text();
  if (!res.ok) throw new ApiError(res.status, errorMessage(res.status, text), text);
  return text;
}

async function admin(method, path, body) {
  const init = {method, headers: {accept: 'application/json'}};
  if (token) init.headers.authorization = `Bearer ${token}`;
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(adminUrl(path), init);
  } catch (e) {
    throw new ApiError(0, `Ferry's admin API cannot be reached (${e.message})`);
  }
  const text = await res.text();
  if (!res.ok) throw new ApiError(res.status, errorMessage(res.status, text), text);
  return {status: res.status, json: text ? JSON.parse(text) : null};
}

const enc = encodeURIComponent;

export const api = {
  version: () => admin('GET', '/version').then((r) => r.json),
  deployments: () => admin('GET', '/deployments').then((r) => r.json.deployments || []),
  register: (uri) => admin('POST', '/deployments', {uri}),
  removeDeployment: (id) => admin('DELETE', `/deployments/${enc(id)}`),
  services: () => admin('GET', '/services').then((r) => r.json.services || []),
  service: (name) => admin('GET', `/services/${enc(name)}`).then((r) => r.json),
  invocations: (query) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== '' && v !== null && v !== undefined) params.set(k, v);
    const qs = params.toString();
    return admin('GET', `/invocations${qs ? `?${qs}` : ''}`).then((r) => r.json);
  },
  invocation: (id) => admin('GET', `/invocations/${enc(id)}`).then((r) => r.json),
  /** GET /services/{service}/state/{key}: {service_name, service_key, state: [{key, value}]}, read-only. */
  state: (service, key) => admin('GET', `/services/${enc(service)}/state/${enc(key)}`).then((r) => r.json),
  subscriptions: () => admin('GET', '/subscriptions').then((r) => r.json.subscriptions || []),
  /** POST /subscriptions {source, sink, options}: 201 created, or 200 with the same one when it exists. */
  addSubscription: (subscription) => admin('POST', '/subscriptions', subscription),
  removeSubscription: (id) => admin('DELETE', `/subscriptions/${enc(id)}`),
  /** GET /dead-letters: the newest records of the dead-letter topic, read-only. */
  deadLetters: (limit) => admin('GET', `/dead-letters?limit=${enc(limit)}`).then((r) => r.json),
  /** PATCH /invocations/{id}/{cancel|kill|purge|resume}; resolves to the status, rejects with the message. */
  act: (id, action) => admin('PATCH', `/invocations/${enc(id)}/${action}`).then((r) => r.status),
};

/**
 * Ingress base URL ("http://host:8080", or FERRY_PUBLIC_INGRESS_URL such as "https://api.example.com/ferry"),
 * learnt from /version at start.
 */
let ingressBase = `${location.protocol}//${location.hostname}:8080`;

let ingressResolved;
/** Settles once /version has answered (or failed): the playground waits for it before its first request. */
export const ingressKnown = new Promise((resolve) => {
  ingressResolved = resolve;
});

export function setIngress(version) {
  ingressResolved();
  if (version && version.public_ingress_url) {
    // Behind a proxy: the ingress as its clients reach it, without a trailing slash (paths start with one).
    ingressBase = version.public_ingress_url.replace(/\/+$/, '');
  } else if (version && version.ingress_port) {
    // The host the browser used for this page; the ingress listens on the same host, its own port.
    ingressBase = `${location.protocol}//${location.hostname}:${version.ingress_port}`;
  }
}

export function ingressUrl(path) {
  return ingressBase + path;
}

/**
 * One request to the ingress. Resolves to what the browser lets a page read of the answer:
 * status, the readable headers, the body text and the elapsed time. Network failures reject.
 */
export async function ingressRequest({method, path, headers, body, signal}) {
  const started = performance.now();
  const res = await fetch(ingressUrl(path), {method, headers, body, signal, mode: 'cors'});
  const text = await res.text();
  const elapsed = performance.now() - started;
  const readable = [];
  res.headers.forEach((value, name) => readable.push([name, value]));
  readable.sort((a, b) => a[0].localeCompare(b[0]));
  return {status: res.status, statusText: res.statusText, headers: readable, body: text, elapsed,
    restateId: res.headers.get('x-restate-id')};
}

/**
 * Text for a request header, as curl sends it: its UTF-8 bytes, one character each. fetch refuses characters beyond
 * Latin-1 in a header (an idempotency key of '€' or '漢'); Ferry reads the bytes back as UTF-8.
 */
export function headerBytes(text) {
  return Array.from(new TextEncoder().encode(text), (b) => String.fromCharCode(b)).join('');
}

/** Segments of an ingress path, each percent-encoded. */
export function ingressPath(...segments) {
  return '/' + segments.map(enc).join('/');
}

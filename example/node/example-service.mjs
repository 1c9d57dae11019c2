// The README tour's example service (Greeter, Counter, Ledger, Signup) on Ferry's plain HTTP contract, in Node.js
// with nothing but its standard library. It serves what example/src/main/java/dev/ferry/example/ExampleService.java
// serves, from the same manifest, so Ferry cannot tell them apart. The contract: docs/service-contract.md.
//
//   node example/node/example-service.mjs
//   EXAMPLE_PORT=9081 EXAMPLE_SIGNING_KEY=a-long-random-secret node example/node/example-service.mjs
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

const host = process.env.EXAMPLE_HOST || '127.0.0.1';
const port = Number(process.env.EXAMPLE_PORT ?? process.argv[2] ?? 9080);
// Set: every /invoke request must carry Ferry's x-ferry-signature; others get 401 and never reach a handler.
const signingKey = process.env.EXAMPLE_SIGNING_KEY || null;

// One manifest for the Java, Node and Python examples. Your own service writes its own (docs/service-contract.md).
const manifest = readFileSync(new URL('../src/main/resources/example-manifest.json', import.meta.url));

// ---- Verifying Ferry's request signature ----------------------------------------------------------------------

/** How far the signature's time may be from this machine's clock (Ferry's RequestSignature.TOLERANCE). */
const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

/**
 * Why the request must be refused, or null when Ferry signed it with `key`. The MAC is HMAC-SHA256 over five lines:
 * the header's time, x-restate-id, the request path, x-restate-key as received (still percent-encoded; empty for a
 * plain service) and the hex SHA-256 of the body.
 */
export function signatureProblem(key, req, body, nowSeconds = Math.floor(Date.now() / 1000)) {
  const header = req.headers['x-ferry-signature'];
  if (!header) return 'the request carries no x-ferry-signature header';
  let time = null;
  let given = null;
  for (const part of header.split(',')) {
    const item = part.trim();
    if (item.startsWith('t=')) time = item.slice(2);
    else if (item.startsWith('v1=')) given = item.slice(3);
  }
  if (time === null || given === null || !/^\d+$/.test(time)) {
    return 'the x-ferry-signature header needs t=<seconds>,v1=<hex>';
  }
  if (Math.abs(nowSeconds - Number(time)) > SIGNATURE_TOLERANCE_SECONDS) {
    return "the signature's time is more than 5 minutes away from now";
  }
  const signed = [
    time,
    req.headers['x-restate-id'] ?? '',
    req.url.split('?')[0],
    req.headers['x-restate-key'] ?? '',
    createHash('sha256').update(body).digest('hex'),
  ].join('\n');
  const expected = Buffer.from(createHmac('sha256', key).update(signed, 'utf8').digest('hex'));
  const received = Buffer.from(given);
  if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
    return 'the signature does not match the request';
  }
  return null;
}

// ---- The handlers -------------------------------------------------------------------------------------------

/** How often each handler body ran, by `handler:tag`, and when it first ran: GET /stats, for tests. */
const executions = new Map();
const firstStarts = new Map();
const counters = new Map();
const attempts = new Map();
const workflows = new Map();
const ledgers = new Map();
const ledgerAppends = new Map();

/** A caller's mistake: a terminal 400, not a retry. */
class BadInput extends Error {}

function count(handler, tag) {
  const name = `${handler}:${tag}`;
  if (!firstStarts.has(name)) firstStarts.set(name, Date.now());
  executions.set(name, (executions.get(name) ?? 0) + 1);
}

function nextAttempt(name) {
  const attempt = (attempts.get(name) ?? 0) + 1;
  attempts.set(name, attempt);
  return attempt;
}

function workflow(id) {
  if (!workflows.has(id)) {
    let approve;
    const approval = new Promise((resolve) => { approve = resolve; });
    workflows.set(id, { approval, approve, input: null, status: null });
  }
  return workflows.get(id);
}

const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);
/** A field of a JSON object; undefined when the input is no object. */
const field = (value, name) => (isObject(value) && Object.hasOwn(value, name) ? value[name] : undefined);
/** A JSON value as text (numbers and booleans written out), else `fallback`: Jackson's asText. */
const text = (value, fallback = '') =>
  typeof value === 'string' ? value
    : typeof value === 'number' || typeof value === 'boolean' ? String(value) : fallback;
/** A JSON value as a whole number, else `fallback`: Jackson's asLong. */
const whole = (value, fallback) => {
  const number = typeof value === 'boolean' ? Number(value) : Number.parseFloat(value);
  return Number.isFinite(number) ? Math.trunc(number) : fallback;
};

const handlers = {
  'Greeter/greet': ({ input }) => {
    const name = text(field(input, 'name'));
    count('greet', text(field(input, 'tag'), name));
    return json(200, { greeting: `Hello ${name}`, ...(isObject(input) ? input : {}) });
  },
  'Greeter/welcome': ({ input }) => {
    const name = text(field(input, 'name'));
    count('welcome', name);
    const out = { message: `Welcome, ${name}!` };
    if (field(input, 'age') !== undefined) out.adult = whole(field(input, 'age'), 0) >= 18;
    return json(200, out);
  },
  'Greeter/noop': ({ req, body }) => {
    count('noop', '');
    const type = body.length > 0 ? req.headers['content-type'] : undefined;
    return { status: 200, headers: type ? { 'content-type': type } : {}, body };
  },
  'Greeter/slow': async ({ input }) => {
    const ms = whole(field(input, 'ms'), 3000);
    count('slow', text(field(input, 'tag')));
    await sleep(ms);
    return json(200, { slept: ms, tag: text(field(input, 'tag')) });
  },
  'Greeter/fail': ({ input }) => {
    count('fail', text(field(input, 'tag')));
    return json(400, { message: text(field(input, 'message'), 'failed on purpose') });
  },
  'Greeter/flaky': ({ input }) => {
    const id = text(field(input, 'id'));
    const attempt = nextAttempt(id);
    count('flaky', id);
    if (attempt <= 2) return json(500, { message: `transient failure #${attempt} for id=${id}` });
    return json(200, { id, attempts: attempt, at: Date.now() });
  },
  'Greeter/busy': ({ input }) => {
    const id = text(field(input, 'id'));
    const attempt = nextAttempt(`busy:${id}`);
    count('busy', id);
    if (attempt === 1) return json(503, { message: 'busy, come back in 2 s' }, { 'retry-after': '2' });
    return json(200, { id, attempts: attempt });
  },
  'Greeter/hang': async ({ input }) => {
    const id = text(field(input, 'id'));
    const attempt = nextAttempt(`hang:${id}`);
    count('hang', id);
    if (attempt === 1) await sleep(whole(field(input, 'ms'), 60000));
    return json(200, { id, attempts: attempt });
  },
  'Counter/add': async ({ key, input }) => {
    count('add', key);
    await sleep(200);
    const value = (counters.get(key) ?? 0) + whole(input, 0);
    counters.set(key, value);
    return json(200, value);
  },
  'Counter/get': ({ key }) => {
    count('get', key);
    return json(200, counters.get(key) ?? 0);
  },
  // Keeps the input with its x-* and kafka.* headers; a repeat of an invocation (a retry) is not appended twice.
  'Ledger/append': async ({ req, key, input }) => {
    const invocationId = req.headers['x-restate-id'] ?? '';
    count('append', key);
    const ms = whole(field(input, 'ms'), 0);
    if (ms > 0) await sleep(ms);
    if (!ledgers.has(key)) ledgers.set(key, []);
    const ledger = ledgers.get(key);
    if (!ledgerAppends.has(invocationId)) {
      const headers = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if ((name.startsWith('x-') && name !== 'x-restate-id') || name.startsWith('kafka.')) headers[name] = value;
      }
      ledger.push({ value: input, headers });
      ledgerAppends.set(invocationId, ledger.length);
    }
    return json(200, ledgerAppends.get(invocationId));
  },
  'Ledger/entries': ({ key }) => json(200, ledgers.get(key) ?? []),
  // The workflow's run waits for approve; a day-long wait is declared in the manifest (inactivityTimeout).
  'Signup/run': async ({ key, input }) => {
    count('run', key);
    const flow = workflow(key);
    flow.input = input;
    flow.status = 'waiting';
    const approval = await flow.approval;
    flow.status = 'done';
    return json(200, { approved: approval });
  },
  'Signup/approve': ({ key, input }) => {
    count('approve', key);
    workflow(key).approve(input); // the first approval wins
    return json(200, { resolved: true });
  },
  'Signup/status': ({ key }) => {
    count('status', key);
    const flow = workflows.get(key);
    return json(200, { input: flow?.input ?? null, status: flow?.status ?? null });
  },
};

// ---- HTTP ---------------------------------------------------------------------------------------------------

function json(status, value, headers = {}) {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(value) };
}

function send(res, { status, headers, body }) {
  res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** The JSON input; an empty body reads as an empty object (a handler decides what it needs). */
function input(body) {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new BadInput(`Failed to deserialize input: ${e.message}`);
  }
}

/** The object key or workflow id: Ferry sends it percent-encoded as UTF-8, so any text arrives intact. */
function objectKey(req) {
  try {
    return decodeURIComponent(req.headers['x-restate-key'] ?? '');
  } catch (e) {
    throw new BadInput(`bad x-restate-key: ${e.message}`);
  }
}

async function route(req, body) {
  const path = req.url.split('?')[0];
  if (req.method === 'GET' && path === '/discover') {
    return { status: 200, headers: { 'content-type': 'application/json' }, body: manifest };
  }
  if (req.method === 'GET' && path === '/stats') {
    return json(200, { byKey: Object.fromEntries(executions), firstStartedAt: Object.fromEntries(firstStarts) });
  }
  const handler = req.method === 'POST' && path.startsWith('/invoke/') ? handlers[path.slice('/invoke/'.length)] : null;
  if (!handler) return json(404, { message: `no handler at ${req.method} ${path}` });
  if (signingKey !== null) {
    const problem = signatureProblem(signingKey, req, body);
    if (problem) return json(401, { message: `not a request from Ferry: ${problem}` });
  }
  return handler({ req, body, key: objectKey(req), input: input(body) });
}

// Ferry passes the caller's idempotency key on as a header; Restate accepts keys of 60 000 characters.
const server = createServer({ maxHeaderSize: 256 * 1024 }, async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  try {
    send(res, await route(req, Buffer.concat(chunks)));
  } catch (e) {
    send(res, json(e instanceof BadInput ? 400 : 500, { message: e.message }));
  }
});
// Idle connections stay open longer than the JDK client Ferry calls with keeps them (30 s), so Ferry closes them:
// a connection the server closed just as Ferry reused it would fail that attempt (retried, but slower).
server.keepAliveTimeout = 60_000;
server.listen(port, host, () => {
  const address = `http://${host}:${server.address().port}`;
  console.log(`Example service listening on ${address}${signingKey ? ' (accepting only requests signed by Ferry)' : ''}`
    + `  (register it: curl localhost:9070/deployments --json '{"uri":"${address}"}')`);
});

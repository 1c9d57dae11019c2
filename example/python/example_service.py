"""The README tour's example service (Greeter, Counter, Ledger, Signup) on Ferry's plain HTTP contract, in Python
with nothing but its standard library. It serves what example/src/main/java/dev/ferry/example/ExampleService.java
serves, from the same manifest, so Ferry cannot tell them apart. The contract: docs/service-contract.md.

    python3 example/python/example_service.py
    EXAMPLE_PORT=9082 EXAMPLE_SIGNING_KEY=a-long-random-secret python3 example/python/example_service.py
"""

import hashlib
import hmac
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

HOST = os.environ.get("EXAMPLE_HOST", "127.0.0.1")
PORT = int(os.environ.get("EXAMPLE_PORT", sys.argv[1] if len(sys.argv) > 1 else "9080"))
# Set: every /invoke request must carry Ferry's x-ferry-signature; others get 401 and never reach a handler.
SIGNING_KEY = os.environ.get("EXAMPLE_SIGNING_KEY") or None

# One manifest for the Java, Node and Python examples. Your own service writes its own (docs/service-contract.md).
MANIFEST = (Path(__file__).resolve().parent.parent / "src/main/resources/example-manifest.json").read_bytes()

# ---- Verifying Ferry's request signature ---------------------------------------------------------------------

# How far the signature's time may be from this machine's clock (Ferry's RequestSignature.TOLERANCE).
SIGNATURE_TOLERANCE_SECONDS = 5 * 60


def signature_problem(key, headers, path, body, now=None):
    """Why the request must be refused, or None when Ferry signed it with `key`.

    The MAC is HMAC-SHA256 over five lines: the header's time, x-restate-id, the request path, x-restate-key as
    received (still percent-encoded; empty for a plain service) and the hex SHA-256 of the body.
    """
    header = headers.get("x-ferry-signature")
    if not header:
        return "the request carries no x-ferry-signature header"
    parts = dict(item.strip().split("=", 1) for item in header.split(",") if "=" in item)
    given, stamp = parts.get("v1"), parts.get("t")
    if given is None or stamp is None or not stamp.isdigit():
        return "the x-ferry-signature header needs t=<seconds>,v1=<hex>"
    now = int(time.time()) if now is None else now
    if abs(now - int(stamp)) > SIGNATURE_TOLERANCE_SECONDS:
        return "the signature's time is more than 5 minutes away from now"
    signed = "\n".join([
        stamp,
        headers.get("x-restate-id", ""),
        path,
        headers.get("x-restate-key", ""),
        hashlib.sha256(body).hexdigest(),
    ])
    expected = hmac.new(key.encode("utf-8"), signed.encode("utf-8"), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode("ascii"), given.encode("ascii", "replace")):
        return "the signature does not match the request"
    return None


# ---- The handlers --------------------------------------------------------------------------------------------

lock = threading.Lock()
# How often each handler body ran, by "handler:tag", and when it first ran: GET /stats, for tests.
executions = {}
first_starts = {}
counters = {}
attempts = {}
workflows = {}
ledgers = {}
ledger_appends = {}


class BadInput(Exception):
    """A caller's mistake: a terminal 400, not a retry."""


class Workflow:
    def __init__(self):
        self.approved = threading.Event()
        self.approval = None
        self.input = None
        self.status = None


def count(handler, tag):
    name = f"{handler}:{tag}"
    with lock:
        first_starts.setdefault(name, int(time.time() * 1000))
        executions[name] = executions.get(name, 0) + 1


def next_attempt(name):
    with lock:
        attempts[name] = attempts.get(name, 0) + 1
        return attempts[name]


def workflow(workflow_id):
    with lock:
        return workflows.setdefault(workflow_id, Workflow())


def field(value, name):
    """A field of a JSON object; None when the input is no object."""
    return value.get(name) if isinstance(value, dict) else None


def text(value, fallback=""):
    """A JSON value as text (numbers and booleans written out), else `fallback`: Jackson's asText."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    return fallback


def whole(value, fallback):
    """A JSON value as a whole number, else `fallback`: Jackson's asLong."""
    try:
        return int(float(value)) if not isinstance(value, (dict, list)) and value is not None else fallback
    except (TypeError, ValueError, OverflowError):
        return fallback


def greet(call):
    name = text(field(call.input, "name"))
    count("greet", text(field(call.input, "tag"), name))
    return 200, {"greeting": f"Hello {name}", **(call.input if isinstance(call.input, dict) else {})}


def welcome(call):
    name = text(field(call.input, "name"))
    count("welcome", name)
    out = {"message": f"Welcome, {name}!"}
    if field(call.input, "age") is not None:
        out["adult"] = whole(field(call.input, "age"), 0) >= 18
    return 200, out


def noop(call):
    count("noop", "")
    content_type = call.headers.get("content-type") if call.body else None
    return 200, call.body, ({"content-type": content_type} if content_type else {})


def slow(call):
    ms = whole(field(call.input, "ms"), 3000)
    count("slow", text(field(call.input, "tag")))
    time.sleep(ms / 1000)
    return 200, {"slept": ms, "tag": text(field(call.input, "tag"))}


def fail(call):
    count("fail", text(field(call.input, "tag")))
    return 400, {"message": text(field(call.input, "message"), "failed on purpose")}


def flaky(call):
    task = text(field(call.input, "id"))
    attempt = next_attempt(task)
    count("flaky", task)
    if attempt <= 2:
        return 500, {"message": f"transient failure #{attempt} for id={task}"}
    return 200, {"id": task, "attempts": attempt, "at": int(time.time() * 1000)}


def busy(call):
    task = text(field(call.input, "id"))
    attempt = next_attempt(f"busy:{task}")
    count("busy", task)
    if attempt == 1:
        return 503, {"message": "busy, come back in 2 s"}, {"retry-after": "2"}
    return 200, {"id": task, "attempts": attempt}


def hang(call):
    task = text(field(call.input, "id"))
    attempt = next_attempt(f"hang:{task}")
    count("hang", task)
    if attempt == 1:
        time.sleep(whole(field(call.input, "ms"), 60000) / 1000)
    return 200, {"id": task, "attempts": attempt}


def add(call):
    count("add", call.key)
    time.sleep(0.2)
    with lock:
        counters[call.key] = counters.get(call.key, 0) + whole(call.input, 0)
        return 200, counters[call.key]


def get(call):
    count("get", call.key)
    with lock:
        return 200, counters.get(call.key, 0)


def append(call):
    """Keeps the input with its x-* and kafka.* headers; a repeat of an invocation (a retry) is not appended twice."""
    invocation_id = call.headers.get("x-restate-id", "")
    count("append", call.key)
    ms = whole(field(call.input, "ms"), 0)
    if ms > 0:
        time.sleep(ms / 1000)
    with lock:
        if invocation_id not in ledger_appends:
            headers = {name.lower(): value for name, value in call.headers.items()
                       if (name.lower().startswith("x-") and name.lower() != "x-restate-id")
                       or name.lower().startswith("kafka.")}
            ledger = ledgers.setdefault(call.key, [])
            ledger.append({"value": call.input, "headers": headers})
            ledger_appends[invocation_id] = len(ledger)
        return 200, ledger_appends[invocation_id]


def entries(call):
    with lock:
        return 200, list(ledgers.get(call.key, []))


def run(call):
    """The workflow's run waits for approve; a day-long wait is declared in the manifest (inactivityTimeout)."""
    count("run", call.key)
    flow = workflow(call.key)
    flow.input = call.input
    flow.status = "waiting"
    flow.approved.wait()
    flow.status = "done"
    return 200, {"approved": flow.approval}


def approve(call):
    count("approve", call.key)
    flow = workflow(call.key)
    with lock:
        if not flow.approved.is_set():  # the first approval wins
            flow.approval = call.input
            flow.approved.set()
    return 200, {"resolved": True}


def status(call):
    count("status", call.key)
    with lock:
        flow = workflows.get(call.key)
    return 200, {"input": flow.input if flow else None, "status": flow.status if flow else None}


HANDLERS = {
    "Greeter/greet": greet, "Greeter/welcome": welcome, "Greeter/noop": noop, "Greeter/slow": slow,
    "Greeter/fail": fail, "Greeter/flaky": flaky, "Greeter/busy": busy, "Greeter/hang": hang,
    "Counter/add": add, "Counter/get": get,
    "Ledger/append": append, "Ledger/entries": entries,
    "Signup/run": run, "Signup/approve": approve, "Signup/status": status,
}


# ---- HTTP ----------------------------------------------------------------------------------------------------


class Call:
    """What a handler gets: the request's headers and body, the decoded object key, the JSON input."""

    def __init__(self, headers, body):
        self.headers = headers
        self.body = body
        self.key = object_key(headers)
        self.input = parse_input(body)


def parse_input(body):
    """The JSON input; an empty body reads as an empty object (a handler decides what it needs)."""
    if not body:
        return {}
    try:
        return json.loads(body)
    except ValueError as e:
        raise BadInput(f"Failed to deserialize input: {e}") from e


def object_key(headers):
    """The object key or workflow id: Ferry sends it percent-encoded as UTF-8, so any text arrives intact."""
    try:
        return unquote(headers.get("x-restate-key", ""), errors="strict")
    except UnicodeDecodeError as e:
        raise BadInput(f"bad x-restate-key: {e}") from e


class Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 keeps Ferry's connections open between calls; every answer carries its content-length.
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == "/discover":
            self.answer(200, MANIFEST, {"content-type": "application/json"})
        elif path == "/stats":
            with lock:
                self.answer(200, {"byKey": dict(executions), "firstStartedAt": dict(first_starts)})
        else:
            self.answer(404, {"message": f"no handler at GET {path}"})

    def do_POST(self):
        path = self.path.split("?", 1)[0]
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        handler = HANDLERS.get(path[len("/invoke/"):]) if path.startswith("/invoke/") else None
        if handler is None:
            self.answer(404, {"message": f"no handler at POST {path}"})
            return
        if SIGNING_KEY is not None:
            problem = signature_problem(SIGNING_KEY, self.headers, path, body)
            if problem:
                self.answer(401, {"message": f"not a request from Ferry: {problem}"})
                return
        try:
            self.answer(*handler(Call(self.headers, body)))
        except BadInput as e:
            self.answer(400, {"message": str(e)})

    def answer(self, status_code, value, headers=None):
        headers = headers or {}
        if isinstance(value, bytes):
            body = value
        else:
            body = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            headers = {"content-type": "application/json", **headers}
        self.send_response(status_code)
        for name, header_value in headers.items():
            self.send_header(name, header_value)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # one line per request is noise here
        pass


def main():
    server = ThreadingHTTPServer((HOST, PORT), Handler)
    server.daemon_threads = True
    address = f"http://{HOST}:{server.server_address[1]}"
    signed = " (accepting only requests signed by Ferry)" if SIGNING_KEY else ""
    print(f"Example service listening on {address}{signed}"
          f"  (register it: curl localhost:9070/deployments --json '{{\"uri\":\"{address}\"}}')", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()

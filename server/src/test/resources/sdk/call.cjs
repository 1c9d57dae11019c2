// Calls a handler through Ferry's ingress with Restate's own client, @restatedev/restate-sdk-clients:
//   node call.cjs <ingress url> <service> <handler> <json input> [object key]
// Prints one JSON line: {"ok":true,"result":...} or {"ok":false,"status":...,"message":...}.
const clients = require("@restatedev/restate-sdk-clients");

const [url, service, handler, input, key] = process.argv.slice(2);
const ingress = clients.connect({ url });
const client = key === undefined
  ? ingress.serviceClient({ name: service })
  : ingress.objectClient({ name: service }, key);
client
  [handler](JSON.parse(input))
  .then((result) => console.log(JSON.stringify({ ok: true, result })))
  .catch((e) => {
    console.log(JSON.stringify({ ok: false, status: e.status ?? null, body: e.responseText ?? null,
      message: String(e.message) }));
  });

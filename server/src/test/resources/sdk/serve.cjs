// Serves Restate SDK services for Ferry's tests: node serve.cjs <services module> <h1|h2c> [port]
// The module exports a function (restate) => [service definitions]. The SDK comes from NODE_PATH (the test kit
// that src/test/sdk/install.sh installs). Prints "listening <port>" on stdout once it accepts connections.
const http = require("node:http");
const http2 = require("node:http2");
const path = require("node:path");
const restate = require("@restatedev/restate-sdk");

const [moduleFile, transport, portArg] = process.argv.slice(2);
const services = require(path.resolve(moduleFile))(restate);
const port = Number(portArg || 0);

let server;
if (transport === "h2c") {
  // What restate.serve() does: HTTP/2 cleartext only, with prior knowledge; the manifest says BIDI_STREAM.
  server = http2.createServer(restate.createEndpointHandler({ services }));
} else if (transport === "h1") {
  // HTTP/1.1 only; the manifest says REQUEST_RESPONSE.
  server = http.createServer(restate.createEndpointHandler({ services }));
} else {
  console.error(`unknown transport '${transport}': use h1 or h2c`);
  process.exit(2);
}
server.listen(port, "127.0.0.1", () => {
  console.log(`listening ${server.address().port}`);
});
const stop = () => server.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);

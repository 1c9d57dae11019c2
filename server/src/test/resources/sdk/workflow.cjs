// Runs the README's Signup workflow through Ferry's ingress with Restate's own client,
// @restatedev/restate-sdk-clients: node workflow.cjs <ingress url> <workflow id>
// Submits the run, approves it through its shared handler, attaches to the result; prints one JSON line.
const clients = require("@restatedev/restate-sdk-clients");

const [url, id] = process.argv.slice(2);
const ingress = clients.connect({ url });
const signup = ingress.workflowClient({ name: "Signup" }, id);
(async () => {
  const submission = await signup.workflowSubmit({ email: `${id}@example.com` });
  await signup.approve(true);
  const result = await signup.workflowAttach();
  const again = await signup.workflowSubmit({ email: "again" }).then(
    (s) => ({ ok: true, s }),
    (e) => ({ ok: false, status: e.status ?? null }));
  console.log(JSON.stringify({ ok: true, invocationId: submission.invocationId, result, again }));
})().catch((e) => {
  console.log(JSON.stringify({ ok: false, status: e.status ?? null, message: String(e.message) }));
});

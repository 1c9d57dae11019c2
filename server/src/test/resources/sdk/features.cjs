// Services that use each command of Restate's TypeScript SDK, for Ferry's runtime tests (SdkRuntimeIT).
// Counters of side effects live in this Node process, so a test can tell a closure that ran once from one that
// ran again on replay; the `counts` handler reads them (not durable, on purpose).
module.exports = (restate) => {
  const counts = {};
  const bump = (name) => (counts[name] = (counts[name] ?? 0) + 1);

  const features = restate.service({
    name: "Features",
    handlers: {
      // ctx.run: the closure runs once; its result is journaled and replayed.
      runOnce: async (ctx, tag) => {
        const first = await ctx.run("first", () => { bump(`run:${tag}:first`); return 20; });
        const second = await ctx.run("second", () => { bump(`run:${tag}:second`); return 22; });
        return first + second;
      },
      // A durable timer.
      sleep: async (ctx, millis) => {
        await ctx.sleep(millis);
        return "slept";
      },
      // A call and a one-way send to another service (the README's Greeter, of another deployment).
      callGreeter: async (ctx, name) => {
        const reply = await ctx.serviceClient({ name: "Greeter" }).greet({ name });
        ctx.serviceSendClient({ name: "Greeter" }).greet({ name: `${name} (sent)` });
        return reply.greeting;
      },
      // A terminal error ends the invocation with its code.
      refuse: async (ctx) => {
        throw new restate.TerminalError("not allowed", { errorCode: 403 });
      },
      // A retryable error: fails the first two attempts of each tag, then succeeds.
      flaky: async (ctx, tag) => {
        if (bump(`flaky:${tag}`) <= 2) {
          throw new Error(`flaky attempt ${counts[`flaky:${tag}`]}`);
        }
        return counts[`flaky:${tag}`];
      },
      // A ctx.run that always fails, with a retry policy: the SDK gives up after its attempts (counted with the
      // retry counters Ferry sends) and the handler sees a terminal error.
      runRetries: async (ctx, tag) => {
        try {
          await ctx.run("always fails", () => { bump(`runRetries:${tag}`); throw new Error("nope"); },
            { maxRetryAttempts: 3, initialRetryInterval: { milliseconds: 10 } });
          return "unreachable";
        } catch (e) {
          return `gave up after ${counts[`runRetries:${tag}`]}: ${e.message}`;
        }
      },
      // Takes another path on replay than it journaled: a journal mismatch, which pauses the invocation.
      nondeterministic: async (ctx, tag) => {
        if (bump(`nondeterministic:${tag}`) === 1) {
          await ctx.run("only the first time", () => 1);
        } else {
          await ctx.sleep(10);
        }
        return "unreachable";
      },
      // An awakeable, resolved from outside through the ingress: the id is published by a send to Mailbox.
      awaitAwakeable: async (ctx, key) => {
        const { id, promise } = ctx.awakeable();
        ctx.objectSendClient({ name: "Mailbox" }, key).put(id);
        return await promise;
      },
      // Two steps, the second slow (a dispatcher can be killed while it runs).
      steps: async (ctx, tag) => {
        const one = await ctx.run("one", () => { bump(`steps:${tag}:one`); return 1; });
        const slow = await ctx.run("slow", async () => {
          bump(`steps:${tag}:slow`);
          await new Promise((resolve) => setTimeout(resolve, 3000));
          return 2;
        });
        return one + slow;
      },
      // Attaches to another invocation and returns its result.
      attachTo: async (ctx, id) => await ctx.invocation(restate.InvocationIdParser.fromString(id)).attach(),
      // Waits for a named signal; its own invocation id is published to Mailbox for the sender.
      awaitSignal: async (ctx, key) => {
        ctx.objectSendClient({ name: "Mailbox" }, key).put(ctx.request().id);
        return await ctx.signal("go");
      },
      // Sends a named signal to another invocation.
      sendSignal: async (ctx, req) => {
        ctx.invocation(restate.InvocationIdParser.fromString(req.id)).signal("go").resolve(req.value);
      },
      // Private to the ingress (400 there); other handlers call it.
      whisper: restate.handlers.handler({ ingressPrivate: true }, async (ctx, name) => `psst ${name}`),
      // Calls the private handler, as a handler may.
      callWhisper: async (ctx, name) => await ctx.serviceClient({ name: "Features" }).whisper(name),
      counts: async () => counts,
    },
  });

  // Each add runs a side effect once and counts itself in the key's state: a crash that re-ran a journaled side
  // effect, or applied a state change twice, shows in the counts and totals.
  const tally = restate.object({
    name: "Tally",
    handlers: {
      add: async (ctx, n) => {
        await ctx.run("side effect", () => { bump(`tally:${ctx.key}:${n}`); return n; });
        const total = ((await ctx.get("total")) ?? 0) + 1;
        ctx.set("total", total);
        return total;
      },
      total: restate.handlers.object.shared(async (ctx) => (await ctx.get("total")) ?? 0),
    },
  });

  const mailbox = restate.object({
    name: "Mailbox",
    handlers: {
      put: async (ctx, value) => { ctx.set("value", value); },
      get: restate.handlers.object.shared(async (ctx) => (await ctx.get("value")) ?? null),
      // Sets three keys and clears one of them.
      setThree: async (ctx) => {
        ctx.set("a", 1);
        ctx.set("b", 2);
        ctx.set("c", 3);
        ctx.clear("b");
      },
      keys: restate.handlers.object.shared(async (ctx) => (await ctx.stateKeys()).sort()),
      clearAll: async (ctx) => { ctx.clearAll(); },
    },
  });

  return [features, mailbox, tally];
};

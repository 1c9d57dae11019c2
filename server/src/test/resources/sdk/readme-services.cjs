// The README's example services (Greeter, Counter, Signup), written with Restate's TypeScript SDK.
module.exports = (restate) => {
  const greeter = restate.service({
    name: "Greeter",
    handlers: {
      greet: async (ctx, req) => ({ greeting: `Hello ${req.name}`, name: req.name }),
    },
  });

  const counter = restate.object({
    name: "Counter",
    handlers: {
      add: async (ctx, delta) => {
        const value = ((await ctx.get("count")) ?? 0) + delta;
        ctx.set("count", value);
        return value;
      },
      get: restate.handlers.object.shared(async (ctx) => (await ctx.get("count")) ?? 0),
    },
  });

  const signup = restate.workflow({
    name: "Signup",
    handlers: {
      run: async (ctx, req) => {
        ctx.set("input", req);
        ctx.set("status", "waiting");
        const approved = await ctx.promise("approval").get();
        ctx.set("status", "done");
        return { approved };
      },
      approve: async (ctx, approval) => {
        await ctx.promise("approval").resolve(approval);
      },
      status: async (ctx) => ({ input: await ctx.get("input"), status: (await ctx.get("status")) ?? null }),
    },
  });

  return [greeter, counter, signup];
};

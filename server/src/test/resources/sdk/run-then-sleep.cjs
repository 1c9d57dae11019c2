// A service that runs a side effect with ctx.run, then sleeps, written with Restate's TypeScript SDK. It counts how
// often the side effect's closure really ran, so a test can tell a replayed run result from a second execution.
module.exports = (restate) => {
  let executions = 0;

  const steps = restate.service({
    name: "Steps",
    handlers: {
      runThenSleep: async (ctx) => {
        const charged = await ctx.run("charge", async () => {
          executions += 1;
          return `charged ${executions}`;
        });
        await ctx.sleep(60_000);
        return { charged };
      },
      executions: async () => executions,
    },
  });

  return [steps];
};

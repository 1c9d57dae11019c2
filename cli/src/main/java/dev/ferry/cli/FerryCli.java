package dev.ferry.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code ferry invocations|services|deployments|subscriptions …}: the operators' command line, a client of any
 * Ferry's admin API. It prints aligned tables, or the admin API's JSON with {@code --json}, and exits 0 when the
 * request succeeded, 1 when it failed (the admin API unreachable, or an answer that is not 2xx: its message is
 * printed) and 2 on a usage error. Nothing here starts a server or loads Kafka.
 */
@Command(name = "ferry", synopsisSubcommandLabel = "(invocations | services | deployments | subscriptions)",
        description = "Manage a running Ferry through its admin API.",
        subcommands = {InvocationsCommand.class, ServicesCommand.class, DeploymentsCommand.class,
                SubscriptionsCommand.class},
        footer = {"", FerryCli.SETTINGS, FerryCli.EXIT_CODES})
public final class FerryCli {
    /** The last lines of each command's help. */
    static final String SETTINGS = "Settings: FERRY_ADMIN_URL (default http://127.0.0.1:9070) and FERRY_ADMIN_TOKEN,"
            + " or their flags.";
    static final String EXIT_CODES = "Exit codes: 0 done, 1 the request failed (its message on stderr), 2 usage error.";

    /** The first words of {@code ferry <command>} that this class runs. */
    public static final Set<String> COMMANDS = Set.of("invocations", "services", "deployments", "subscriptions");

    static final int OK = 0;
    static final int FAILED = 1;
    private static final int USAGE_WIDTH = 110;

    // Defaults come from the environment (defaultValues below); the flags override them.
    @Option(names = "--admin-url", paramLabel = "URL", scope = ScopeType.INHERIT,
            description = "Ferry's admin API (default: FERRY_ADMIN_URL, else http://127.0.0.1:9070).")
    String adminUrl;

    @Option(names = "--token", paramLabel = "TOKEN", scope = ScopeType.INHERIT,
            description = "Bearer token of the admin API (default: FERRY_ADMIN_TOKEN).")
    String token;

    @Option(names = "--json", scope = ScopeType.INHERIT,
            description = "Print the admin API's JSON instead of a table.")
    boolean json;

    @Option(names = {"-h", "--help"}, usageHelp = true, scope = ScopeType.INHERIT, description = "Show this help.")
    boolean help;

    private final PrintWriter out;
    private final PrintWriter err;

    private FerryCli(PrintWriter out, PrintWriter err) {
        this.out = out;
        this.err = err;
    }

    /**
     * Runs one command line, such as {@code invocations ls --status paused}.
     *
     * @param environment where the settings ({@link CliSetting}) are read from
     * @return the exit code
     */
    public static int run(String[] args, Map<String, String> environment, PrintWriter out, PrintWriter err) {
        try {
            return commandLine(environment, out, err).execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    static CommandLine commandLine(Map<String, String> environment, PrintWriter out, PrintWriter err) {
        CommandLine commandLine = new CommandLine(new FerryCli(out, err));
        // Wide enough that no URL or variable name in the help breaks across lines; picocli's default is 80.
        commandLine.setOut(out).setErr(err).setUsageHelpWidth(USAGE_WIDTH);
        commandLine.setDefaultValueProvider(argument -> argument instanceof OptionSpec option
                ? CliSetting.ofFlag(option.longestName()).map(setting -> setting.value(environment)).orElse(null)
                : null);
        commandLine.setExecutionExceptionHandler((e, command, parsed) -> {
            if (e instanceof AdminClient.RequestFailed) {
                err.println("ferry: " + e.getMessage());
                return FAILED;
            }
            throw e;
        });
        return commandLine;
    }

    /** The admin API of the settings. A URL that is not one is a usage error. */
    AdminClient admin(CommandLine command) {
        try {
            return new AdminClient(adminUrl, token);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(command, "--admin-url or " + CliSetting.ADMIN_URL.env()
                    + ": " + e.getMessage());
        }
    }

    boolean json() {
        return json;
    }

    PrintWriter out() {
        return out;
    }

    PrintWriter err() {
        return err;
    }

    /** The answer's JSON as the admin API wrote it, indented; nothing when it had no body. */
    void printJson(AdminClient.Answer answer) {
        if (answer.body().isBlank()) {
            return;
        }
        try {
            out.println(AdminClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(answer.json()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Prints the answer as JSON with {@code --json}, else as the table that {@code table} makes of its JSON. */
    int print(AdminClient.Answer answer, Function<JsonNode, Table> table) {
        if (json) {
            printJson(answer);
        } else {
            out.print(table.apply(answer.json()).render());
        }
        return OK;
    }
}

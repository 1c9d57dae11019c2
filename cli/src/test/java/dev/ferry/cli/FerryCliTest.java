package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** The command line's parsing, settings, help and exit codes, without a Ferry (see the server's CliIT for one). */
class FerryCliTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private CommandLine commandLine(Map<String, String> environment) {
        return FerryCli.commandLine(environment, new PrintWriter(out), new PrintWriter(err));
    }

    private int run(Map<String, String> environment, String... args) {
        return FerryCli.run(args, environment, new PrintWriter(out), new PrintWriter(err));
    }

    private static FerryCli root(ParseResult parsed) {
        return (FerryCli) parsed.commandSpec().userObject();
    }

    @Test
    void theFiltersOfLsBecomeTheQueryOfGetInvocations() {
        ParseResult parsed = commandLine(Map.of()).parseArgs("invocations", "ls", "--status", "backing-off",
                "--service", "Greeter", "--key", "my key/1", "--limit", "10", "--before", "c1");
        InvocationsCommand.Filters filters = (InvocationsCommand.Filters) parsed.subcommand().subcommand()
                .commandSpec().mixins().values().iterator().next().userObject();
        assertThat(filters.query()).isEqualTo("?status=backing-off&service=Greeter&key=my+key%2F1&limit=10&before=c1");
        assertThat(new InvocationsCommand.Filters().query()).isEmpty();
    }

    @Test
    void theAdminUrlAndTokenComeFromTheEnvironmentAndTheFlagsOverrideThem() {
        FerryCli defaults = root(commandLine(Map.of()).parseArgs("invocations", "ls"));
        assertThat(defaults.adminUrl).isEqualTo("http://127.0.0.1:9070");
        assertThat(defaults.token).isEmpty();
        assertThat(defaults.json).isFalse();

        Map<String, String> env = Map.of("FERRY_ADMIN_URL", "http://ferry:9070", "FERRY_ADMIN_TOKEN", "s3cret");
        FerryCli fromEnv = root(commandLine(env).parseArgs("services"));
        assertThat(fromEnv.adminUrl).isEqualTo("http://ferry:9070");
        assertThat(fromEnv.token).isEqualTo("s3cret");

        FerryCli flags = root(commandLine(env).parseArgs("invocations", "show", "inv_1", "--admin-url",
                "http://other:1", "--token", "t2", "--json"));
        assertThat(flags.adminUrl).isEqualTo("http://other:1");
        assertThat(flags.token).isEqualTo("t2");
        assertThat(flags.json).isTrue();
    }

    @Test
    void flagsCanStandBeforeOrAfterTheSubcommand() {
        FerryCli before = root(commandLine(Map.of()).parseArgs("invocations", "--json", "ls", "--service", "G"));
        assertThat(before.json).isTrue();
    }

    @Test
    void everySettingHasItsFlagAndItsHelpNamesTheVariable() {
        CommandLine commandLine = commandLine(Map.of());
        String help = commandLine.getSubcommands().get("invocations").getUsageMessage();
        for (CliSetting setting : CliSetting.values()) {
            assertThat(commandLine.getCommandSpec().findOption(setting.flag())).as(setting.flag()).isNotNull();
            assertThat(help).contains(setting.flag()).contains(setting.env());
        }
    }

    @Test
    void theReadmeDocumentsEverySetting() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        for (CliSetting setting : CliSetting.values()) {
            assertThat(readme).as(setting.env()).contains("`" + setting.env() + "`");
        }
    }

    @Test
    void helpExitsZeroAndUsageErrorsExitTwo() {
        assertThat(run(Map.of(), "invocations", "--help")).isZero();
        assertThat(out.toString()).contains("ls", "show", "cancel", "kill", "purge", "resume", "--admin-url");

        assertThat(run(Map.of(), "invocations", "show")).as("no id").isEqualTo(2);
        assertThat(err.toString()).contains("Missing required parameter: 'ID'");
        assertThat(run(Map.of(), "invocations", "frobnicate")).isEqualTo(2);
        assertThat(run(Map.of(), "invocations", "ls", "--limit", "many")).isEqualTo(2);
        assertThat(run(Map.of(), "deployments", "add")).isEqualTo(2);
    }

    @Test
    void anAdminUrlThatIsNotOneIsAUsageError() {
        assertThat(run(Map.of("FERRY_ADMIN_URL", "localhost:9070"), "services")).isEqualTo(2);
        assertThat(err.toString()).contains("FERRY_ADMIN_URL", "'localhost:9070' is not an http:// or https:// URL");
    }

    @Test
    void anUnreachableAdminApiIsAFailedRequestThatSaysWhere() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + closedPort;
        assertThat(run(Map.of(), "invocations", "ls", "--admin-url", url)).isEqualTo(1);
        assertThat(err.toString()).startsWith("ferry: cannot reach the admin API at " + url)
                .contains("FERRY_ADMIN_URL");
        assertThat(out.toString()).isEmpty();
    }
}

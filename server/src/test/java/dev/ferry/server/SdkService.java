package dev.ferry.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A service written with Restate's TypeScript SDK, run by Node 22 for a test: {@code src/test/resources/sdk/serve.cjs}
 * serves the services that a module there exports, on a port of its own, over HTTP/1.1 or over HTTP/2 cleartext
 * with prior knowledge (what the SDK's {@code restate.serve()} does).
 *
 * <p>Node and the SDK come from the test kit that {@code src/test/sdk/install.sh} installs from the npm registry
 * ({@code .ci/run} runs it first; this class runs it again, which costs nothing once it is installed). Its directory
 * is {@code FERRY_SDK_HOME}, else {@code ~/.cache/ferry-sdk-kit}.
 */
final class SdkService implements AutoCloseable {
    private static final Path MODULE_DIR = Path.of("src/test/resources/sdk");
    private static volatile Path kit;

    /** How the service is served. */
    enum Transport {
        /** {@code http.createServer}: HTTP/1.1 only; the SDK's manifest says REQUEST_RESPONSE. */
        HTTP_1_1("h1"),
        /** {@code http2.createServer}: HTTP/2 cleartext only, as {@code restate.serve()}; manifest BIDI_STREAM. */
        H2C("h2c");

        final String arg;

        Transport(String arg) {
            this.arg = arg;
        }
    }

    /** The line serve.cjs prints once it listens: {@code listening <port>}. */
    private static final Pattern LISTENING = Pattern.compile("^listening (\\d+)");

    private final ListeningProcess process;
    private final int port;

    private SdkService(ListeningProcess process) {
        this.process = process;
        this.port = Integer.parseInt(process.address());
    }

    /** Starts the services of {@code module} (a file under {@code src/test/resources/sdk}) and waits until it listens. */
    static SdkService start(String module, Transport transport) {
        Path home = kit();
        Path script = MODULE_DIR.resolve("serve.cjs").toAbsolutePath();
        ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/node").toString(), script.toString(),
                MODULE_DIR.resolve(module).toAbsolutePath().toString(), transport.arg, "0");
        environment(builder, home);
        return new SdkService(ListeningProcess.start(builder, LISTENING, "the SDK service " + module));
    }

    /**
     * Runs a script of {@code src/test/resources/sdk} to its end (a client, such as {@code call.cjs}); returns what
     * it printed on stdout.
     */
    static String run(String script, String... args) {
        Path home = kit();
        List<String> command = new ArrayList<>(List.of(home.resolve("bin/node").toString(),
                MODULE_DIR.resolve(script).toAbsolutePath().toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        environment(builder, home);
        try {
            Process process = builder.start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(script + " failed: " + out);
            }
            return out.strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The SDK from the kit; no proxy from this machine's environment, as everything the tests call is local. */
    private static void environment(ProcessBuilder builder, Path home) {
        builder.environment().put("NODE_PATH", home.resolve("node_modules").toString());
        for (String proxy : List.of("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy",
                "ALL_PROXY")) {
            builder.environment().remove(proxy);
        }
    }

    int port() {
        return port;
    }

    String uri() {
        return "http://127.0.0.1:" + port;
    }

    /** What the service printed so far (the SDK's log). */
    List<String> output() {
        return process.output();
    }

    @Override
    public void close() {
        process.close();
    }

    /** The test kit's directory, installed first if need be. */
    static Path kit() {
        Path home = kit;
        if (home != null) {
            return home;
        }
        synchronized (SdkService.class) {
            if (kit == null) {
                kit = install();
            }
            return kit;
        }
    }

    private static Path install() {
        Path installer = Path.of("src/test/sdk/install.sh").toAbsolutePath();
        if (!Files.isRegularFile(installer)) {
            throw new IllegalStateException("no " + installer + ": tests must run from the server module");
        }
        try {
            Process process = new ProcessBuilder("bash", installer.toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new IllegalStateException("src/test/sdk/install.sh failed: Node 22 and "
                        + "@restatedev/restate-sdk could not be installed from the npm registry (its log is above)");
            }
            String[] lines = out.split("\n");
            return Path.of(lines[lines.length - 1]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while installing the SDK test kit", e);
        }
    }
}

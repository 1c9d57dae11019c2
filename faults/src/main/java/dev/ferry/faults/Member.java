package dev.ferry.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One process of the cluster under test (a broker or a Ferry role), which the nemesis kills (SIGKILL), pauses
 * (SIGSTOP), resumes (SIGCONT) and restarts with the same command, environment, data directory and ports. Its output
 * is appended to one log file across restarts.
 */
public final class Member {
    public enum Kind { BROKER, PROCESSOR, DISPATCHER, INGRESS }

    private final String name;
    private final Kind kind;
    private final List<String> command;
    private final Map<String, String> env;
    private final Path log;
    private final int adminPort;
    private final int port;
    private Process process;
    private boolean paused;
    private int starts;

    Member(String name, Kind kind, List<String> command, Map<String, String> env, Path log, int port, int adminPort) {
        this.name = name;
        this.kind = kind;
        this.command = List.copyOf(command);
        this.env = Map.copyOf(env);
        this.log = log;
        this.port = port;
        this.adminPort = adminPort;
    }

    public String name() {
        return name;
    }

    public Kind kind() {
        return kind;
    }

    /** The broker's port, or the ingress's HTTP port; 0 for other roles. */
    public int port() {
        return port;
    }

    /** The Ferry process's admin port (health checks, and the admin API of an ingress); 0 for a broker. */
    public int adminPort() {
        return adminPort;
    }

    public Path log() {
        return log;
    }

    public synchronized void start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " runs already");
        }
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().keySet().removeIf(k -> k.startsWith("FERRY_"));
        builder.environment().putAll(env);
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        paused = false;
        starts++;
    }

    public synchronized boolean alive() {
        return process != null && process.isAlive();
    }

    public synchronized boolean paused() {
        return paused;
    }

    public synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    /** SIGKILL: no shutdown hook, nothing flushed, no group left. */
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly(); // SIGKILL on Unix; a stopped process dies too
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        paused = false;
    }

    public synchronized void pause() {
        if (alive() && !paused) {
            signal("STOP");
            paused = true;
        }
    }

    public synchronized void resume() {
        if (alive() && paused) {
            signal("CONT");
            paused = false;
        }
    }

    private void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public synchronized int starts() {
        return starts;
    }

    @Override
    public String toString() {
        return name;
    }
}

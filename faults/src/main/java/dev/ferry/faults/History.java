package dev.ferry.faults;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What happened in one run, Jepsen-style: every client operation (its invocation and its completion), every handler
 * execution the test service saw, and every nemesis action. Times are {@link System#nanoTime()} minus the run's start,
 * in the harness JVM, which runs the clients and the service alike, so client and service times compare.
 *
 * <p>Each event is also appended as one JSON line to {@code history.jsonl} as it happens, so a run that dies still
 * leaves its history.
 */
public final class History implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How an operation ended: Jepsen's ok (it happened), fail (it did not), info (unknown). */
    public enum Type { INVOKE, OK, FAIL, INFO }

    /**
     * One client operation's invocation or completion.
     *
     * @param f what the client did: {@code add}, {@code send}, {@code run} (a workflow run, called), {@code run-send},
     *     {@code attach}, {@code output}, {@code read}, {@code final-read}
     * @param target the Ferry target: {@code Set/k1/add}, {@code Recorder/record}, {@code Job/j1/run}
     * @param key the object key or workflow id, or null
     * @param value the value the client sent (an add's element, a send's payload), or null
     * @param idem the idempotency key, or null
     * @param status the final HTTP status, 0 when there was none (a timeout, a refused connection)
     * @param body the final answer's body, or null
     * @param invocationId the {@code x-restate-id} of the answer (or the send's {@code invocationId}), or null
     * @param attempts HTTP requests the client made for this operation
     */
    public record Op(long index, int process, Type type, String f, String target, String key, String value,
            String idem, int status, String body, String invocationId, long time, int attempts) {
        public Op complete(Type type, int status, String body, String invocationId, long time, int attempts) {
            return new Op(index, process, type, f, target, key, value, idem, status, body, invocationId, time, attempts);
        }
    }

    /**
     * One execution of a handler in the test service (one HTTP request from a dispatcher).
     *
     * @param exclusive whether the handler is exclusive per object key (Set/add)
     * @param ok whether the handler answered 2xx
     * @param answer the body it answered
     */
    public record Exec(long seq, String service, String handler, String key, String invocationId, String value,
            int attempt, boolean exclusive, long start, long end, boolean ok, String answer) {}

    /** A nemesis action: {@code kill}, {@code restart}, {@code pause}, {@code resume}, ... */
    public record Nemesis(long time, String action, String target, String detail) {}

    private final long origin;
    private final AtomicLong opIndex = new AtomicLong();
    private final AtomicLong execSeq = new AtomicLong();
    private final List<Op> ops = new ArrayList<>();
    private final List<Exec> execs = new ArrayList<>();
    private final List<Nemesis> nemesis = new ArrayList<>();
    private final BufferedWriter out;

    /** A history kept in memory only (tests). */
    public History() {
        this(null);
    }

    /** A history that also writes {@code file} as it grows; null for memory only. */
    public History(Path file) {
        origin = System.nanoTime();
        try {
            out = file == null ? null : Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Nanoseconds since the run began. */
    public long now() {
        return System.nanoTime() - origin;
    }

    public long nextExecSeq() {
        return execSeq.incrementAndGet();
    }

    /** Records an invocation; its completion goes through {@link #complete}. */
    public Op invoke(int process, String f, String target, String key, String value, String idem) {
        Op op = new Op(opIndex.incrementAndGet(), process, Type.INVOKE, f, target, key, value, idem, 0, null, null,
                now(), 0);
        add(op);
        return op;
    }

    public Op complete(Op invoked, Type type, int status, String body, String invocationId, int attempts) {
        Op op = invoked.complete(type, status, body, invocationId, now(), attempts);
        add(op);
        return op;
    }

    /** Adds a prepared operation event as it is (tests build histories this way). */
    public synchronized History add(Op op) {
        ops.add(op);
        write("op", op);
        return this;
    }

    public synchronized History add(Exec exec) {
        execs.add(exec);
        write("exec", exec);
        return this;
    }

    public synchronized History add(Nemesis event) {
        nemesis.add(event);
        write("nemesis", event);
        return this;
    }

    public void nemesis(String action, String target, String detail) {
        add(new Nemesis(now(), action, target, detail));
    }

    public synchronized List<Op> ops() {
        return List.copyOf(ops);
    }

    public synchronized List<Exec> execs() {
        return List.copyOf(execs);
    }

    public synchronized List<Nemesis> nemesisEvents() {
        return List.copyOf(nemesis);
    }

    private void write(String kind, Record event) {
        if (out == null) {
            return;
        }
        try {
            var node = JSON.valueToTree(event);
            ((com.fasterxml.jackson.databind.node.ObjectNode) node).put("event", kind);
            out.write(JSON.writeValueAsString(node));
            out.newLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a history written by a run ({@code history.jsonl}), to check it again. */
    public static History read(Path file) throws IOException {
        History history = new History();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            var node = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(line);
            String kind = node.remove("event").asText();
            switch (kind) {
                case "op" -> history.add(JSON.treeToValue(node, Op.class));
                case "exec" -> history.add(JSON.treeToValue(node, Exec.class));
                case "nemesis" -> history.add(JSON.treeToValue(node, Nemesis.class));
                default -> throw new IOException("unknown event " + kind + " in " + file);
            }
        }
        return history;
    }

    public synchronized void flush() {
        if (out != null) {
            try {
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Override
    public synchronized void close() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}

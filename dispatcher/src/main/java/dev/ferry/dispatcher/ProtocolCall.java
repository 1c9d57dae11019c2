package dev.ferry.dispatcher;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.ferry.protocol.ErrorCodes;
import dev.ferry.protocol.Frame;
import dev.ferry.protocol.FrameCodec;
import dev.ferry.protocol.FrameDecoder;
import dev.ferry.protocol.MessageType;
import dev.ferry.protocol.ProtocolException;
import dev.ferry.protocol.ProtocolVersion;
import dev.ferry.protocol.messages.StartMessage;
import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.RecordLimits;
import dev.ferry.schemas.Tracing;
import dev.ferry.schemas.commands.AttemptFailed;
import dev.ferry.schemas.commands.Command;
import dev.ferry.schemas.commands.Failure;
import dev.ferry.schemas.commands.JournalAppend;
import dev.ferry.schemas.deployments.ServiceProtocol;
import dev.ferry.schemas.dispatch.Dispatch;
import dev.ferry.schemas.journal.AttemptEnd;
import dev.ferry.schemas.journal.JournalEntry;
import dev.ferry.schemas.journal.JournalReplay;
import dev.ferry.schemas.journal.StateEntry;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * One attempt on a service written with a Restate SDK, in Restate's service protocol, request-response mode: the
 * request body is the {@code StartMessage} and the whole journal, then it is closed (also against an endpoint that
 * offers a bidirectional stream: Ferry has nothing to add once the attempt runs); the SDK replays the journal, runs the
 * handler until it ends, suspends or fails, and answers with what it wrote ({@link AttemptJournal}).
 *
 * <p>{@code POST {deployment uri}/invoke/{service}/{handler}}, with {@code content-type} and {@code accept}
 * {@code application/vnd.restate.invocation.v{N}} for the invocation's protocol version; over HTTP/1.1 with the JDK's
 * client, or over HTTP/2 cleartext with prior knowledge ({@link dev.ferry.http.H2cClients}) when discovery found that
 * is what the endpoint speaks.
 *
 * <p>The outcome is a {@link JournalAppend} when the service said how the attempt ended. When it did not (an answer
 * other than 200 with the protocol's content type, malformed frames, a stream that broke or ended early, the
 * inactivity timeout), the attempt failed and is retried: a {@link JournalAppend} ending {@code FAILED} carries the
 * whole frames the service wrote before that (never a partial one), and an {@link AttemptFailed} says so when there
 * were none. The timeout and an abort follow {@link ServiceCall}'s rules: the timeout bounds the whole answer, and an
 * interrupt closes the connection and reports nothing.
 *
 * <p>Requests are not signed: Ferry's {@link dev.ferry.schemas.dispatch.RequestSignature} belongs to its plain HTTP
 * contract, and Restate's SDKs verify another scheme (Restate's request identity), which Ferry does not implement.
 */
public final class ProtocolCall {
    /**
     * What a frame may hold beyond the largest body: an output command wraps the handler's result, a body-sized value,
     * in a few bytes of protobuf, and a command has a name beside it.
     */
    static final int FRAME_OVERHEAD_BYTES = 64 * 1024;

    private final HttpClient http11;
    private final OkHttpClient h2c;
    private final RecordLimits limits;

    /**
     * @param http11 the client for HTTP/1.1 endpoints
     * @param h2c the client for HTTP/2 cleartext endpoints ({@link dev.ferry.http.H2cClients})
     * @param limits the largest frame a service may send (the body limit, with room for its protobuf) and the largest
     *     record its journal entries must fit
     */
    public ProtocolCall(HttpClient http11, OkHttpClient h2c, RecordLimits limits) {
        this.http11 = http11;
        this.h2c = h2c;
        this.limits = limits;
    }

    /**
     * Runs the attempt against the endpoint at {@code baseUri}; returns the command that reports its outcome, or
     * null when the dispatcher stopped or aborted it before it ended (interrupted; nothing is known: the lease or the
     * abort decides).
     *
     * @param dispatch an attempt that carries its journal ({@link Dispatch#journal()} is not null)
     * @param protocol how the deployment is called (which HTTP)
     */
    public Command run(Dispatch dispatch, String baseUri, ServiceProtocol protocol) {
        return run(dispatch, baseUri, protocol, () -> true);
    }

    /**
     * The same, asking {@code maySend} right before the request's body is written ({@link GatedBody}); when it says
     * no, nothing is sent and null is returned (the lease decides).
     */
    public Command run(Dispatch dispatch, String baseUri, ServiceProtocol protocol, BooleanSupplier maySend) {
        JournalReplay replay = dispatch.journal();
        if (replay == null) {
            throw new IllegalArgumentException("an attempt in the service protocol needs its journal");
        }
        Optional<ProtocolVersion> version = ProtocolVersion.ofNumber(replay.protocolVersion());
        if (version.isEmpty()) {
            // The processor pinned a version Ferry does not speak: no attempt can help, so pause for an operator.
            return new JournalAppend(dispatch.invocationId(), dispatch.attempt(), List.of(), AttemptEnd.failed(
                    new Failure(500, "the invocation runs under service protocol version " + replay.protocolVersion()
                            + ", which this Ferry does not speak (it speaks " + ProtocolVersion.oldest().number()
                            + " to " + ProtocolVersion.newest().number() + ")"), null, true));
        }
        return run(dispatch, ServiceCall.invokeUri(baseUri, dispatch.target()), version.get(), protocol.http2(),
                maySend);
    }

    private Command run(Dispatch dispatch, URI uri, ProtocolVersion version, boolean http2, BooleanSupplier maySend) {
        byte[] requestBody = requestBody(dispatch, version);
        Exchange exchange = http2
                ? new H2cExchange(h2c, uri, version, requestBody, maySend)
                : new Http11Exchange(http11, uri, version, requestBody, maySend);
        AttemptJournal journal = new AttemptJournal(version, outputIn(dispatch.journal().entries()),
                limits.recordBytes());
        CompletableFuture<Void> deadline = new CompletableFuture<>();
        if (dispatch.timeoutMillis() != null) {
            // The inactivity timeout bounds the whole answer, as for a plain call: past it, the exchange is aborted,
            // which ends whatever read waits for it.
            deadline.completeOnTimeout(null, dispatch.timeoutMillis(), TimeUnit.MILLISECONDS)
                    .thenRun(exchange::timeOut);
        }
        try {
            Answer answer = exchange.send();
            if (answer.status() != 200) {
                String message = ServiceCall.message(answer.status(),
                        answer.body().readNBytes(BoundedBody.ERROR_BODY_BYTES));
                return broken(dispatch, journal, new Failure(answer.status(), "the service answered HTTP "
                        + answer.status() + ": " + message), ServiceCall.retryAfterMillis(answer.retryAfter()));
            }
            if (ProtocolVersion.fromContentType(answer.contentType()).orElse(null) != version) {
                return broken(dispatch, journal, new Failure(502, "the service answered with content type '"
                        + answer.contentType() + "', not '" + version.contentType() + "': it does not speak the"
                        + " invocation's protocol version, or is not a Restate SDK endpoint"), null);
            }
            // One whole frame at a time, so that when the stream breaks, every whole frame before is taken and a partial
            // one is not. (FrameDecoder, fed chunks, throws away the whole frames of a chunk that ends in a malformed
            // header.) Nothing after the attempt's end is read.
            boolean ended = false;
            for (Frame frame; !ended && (frame = FrameCodec.read(answer.body(), maxFrameBodyBytes())) != null; ) {
                ended = journal.take(frame);
            }
            if (!ended) {
                return broken(dispatch, journal, new Failure(502, "the service's answer ended without an"
                        + " EndMessage, SuspensionMessage or ErrorMessage"), null);
            }
            return new JournalAppend(dispatch.invocationId(), dispatch.attempt(), journal.entries(), journal.end());
        } catch (ProtocolException e) {
            exchange.abort();
            return broken(dispatch, journal, new Failure(ErrorCodes.PROTOCOL_VIOLATION,
                    "the service broke the protocol: " + e.getMessage()), null);
        } catch (IOException | CancellationException | ExecutionException e) {
            exchange.abort();
            if (GatedBody.withheld(e)) {
                return null; // never sent: the lease decides
            }
            if (exchange.timedOut()) {
                return broken(dispatch, journal, ServiceCall.timeoutFailure(dispatch.timeoutMillis()), null);
            }
            if (Thread.currentThread().isInterrupted()) {
                return null; // aborted or stopping: the exchange is closed below, as an aborted call's must be
            }
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            return broken(dispatch, journal, ServiceCall.callFailure(uri, cause), null);
        } catch (InterruptedException e) {
            exchange.abort();
            Thread.currentThread().interrupt();
            return null;
        } finally {
            deadline.cancel(false);
            exchange.close();
        }
    }

    /**
     * The outcome of an attempt the service did not end: the whole frames it wrote before, if any, with the failure;
     * else the failure alone.
     */
    private static Command broken(Dispatch dispatch, AttemptJournal journal, Failure failure, Long retryAfterMillis) {
        if (journal.entries().isEmpty()) {
            return new AttemptFailed(dispatch.invocationId(), dispatch.attempt(), failure, retryAfterMillis);
        }
        return new JournalAppend(dispatch.invocationId(), dispatch.attempt(), journal.entries(),
                AttemptEnd.failed(failure, retryAfterMillis, false));
    }

    private int maxFrameBodyBytes() {
        return (int) Math.min(FrameDecoder.LARGEST_MAX_BODY_LENGTH,
                (long) limits.maxBodyBytes() + FRAME_OVERHEAD_BYTES);
    }

    private static boolean outputIn(List<JournalEntry> entries) {
        return entries.stream().anyMatch(entry -> entry.type() == MessageType.OUTPUT_COMMAND.id());
    }

    /** The {@code StartMessage}, then every journal entry as it is stored, each framed without flags. */
    static byte[] requestBody(Dispatch dispatch, ProtocolVersion version) {
        JournalReplay replay = dispatch.journal();
        InvocationId id = dispatch.invocationId();
        StartMessage.Builder start = StartMessage.newBuilder()
                .setId(ByteString.copyFrom(id.toBytes()))
                .setDebugId(id.toString())
                .setKnownEntries(replay.entries().size())
                // Ferry sends the whole state of the key, so the SDK answers every read itself.
                .setPartialState(false)
                .setKey(dispatch.target().key() == null ? "" : dispatch.target().key())
                .setRetryCountSinceLastStoredEntry(replay.retryCountSinceLastStoredEntry())
                .setDurationSinceLastStoredEntry(replay.millisSinceLastStoredEntry());
        for (StateEntry entry : replay.state()) {
            start.addStateMap(StartMessage.StateEntry.newBuilder()
                    .setKey(UnsafeByteOperations.unsafeWrap(entry.key().bytes()))
                    .setValue(UnsafeByteOperations.unsafeWrap(entry.value().bytes())));
        }
        if (version.isAtLeast(ProtocolVersion.V6)) {
            start.setRandomSeed(randomSeed(id));
        }
        if (version.isAtLeast(ProtocolVersion.V7) && dispatch.idempotencyKey() != null) {
            start.setIdempotencyKey(dispatch.idempotencyKey());
        }
        List<Frame> frames = new ArrayList<>(replay.entries().size() + 1);
        frames.add(Frame.of(start.build()));
        for (JournalEntry entry : replay.entries()) {
            // Payload's bytes are never written to; the frame only reads them.
            frames.add(new Frame(entry.type(), 0, UnsafeByteOperations.unsafeWrap(entry.message().bytes())));
        }
        return FrameCodec.encode(frames);
    }

    /**
     * The seed of the SDK's deterministic random numbers: the first 8 bytes of the SHA-256 of the invocation id's 24
     * bytes. It depends on nothing else, so it is the same in every attempt, as it must be for a replay to draw the
     * same numbers.
     */
    static long randomSeed(InvocationId id) {
        try {
            return ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(id.toBytes())).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** The status and headers of the service's answer, and its body to read. */
    private record Answer(int status, String contentType, String retryAfter, InputStream body) {}

    /**
     * One request over one of the two clients. {@link #abort()} may come from another thread (the timeout) at any
     * time: it ends a send or read in progress with an exception, and makes later ones fail at once.
     */
    private abstract static class Exchange {
        private boolean aborted;
        private boolean timedOut;
        private AutoCloseable open;

        /** Sends the request and waits for the answer's status and headers. */
        abstract Answer send() throws IOException, InterruptedException, ExecutionException;

        /**
         * Breaks off the exchange, from any thread: stops the request in flight and closes its connection (or HTTP/2
         * stream), which ends a send or read that waits for it.
         */
        final void abort() {
            AutoCloseable toClose;
            synchronized (this) {
                if (aborted) {
                    return;
                }
                aborted = true;
                toClose = open;
            }
            cancel();
            closeQuietly(toClose);
        }

        /**
         * Ends the exchange once the caller is done with the answer. What is left of the body is not read: an
         * HTTP/1.1 connection is then closed (rarely: services end their body with the attempt's last message), an
         * HTTP/2 stream reset.
         */
        final void close() {
            AutoCloseable toClose;
            synchronized (this) {
                aborted = true;
                toClose = open;
                open = null;
            }
            closeQuietly(toClose);
        }

        final synchronized boolean aborted() {
            return aborted;
        }

        /** Called by the timeout: the abort is the deadline's. */
        final void timeOut() {
            synchronized (this) {
                if (!aborted) {
                    timedOut = true;
                }
            }
            abort();
        }

        final synchronized boolean timedOut() {
            return timedOut;
        }

        /** Stops the request in flight, if any. */
        abstract void cancel();

        /** Registers what the answer holds open; closes it at once when the exchange was aborted meanwhile. */
        final <T extends AutoCloseable> T opened(T resource) throws IOException {
            synchronized (this) {
                if (!aborted) {
                    open = resource;
                    return resource;
                }
            }
            closeQuietly(resource);
            throw new IOException("the exchange was aborted");
        }

        private static void closeQuietly(AutoCloseable resource) {
            if (resource == null) {
                return;
            }
            try {
                resource.close();
            } catch (Exception e) {
                // closing what was aborted: nothing more to do
            }
        }
    }

    /** HTTP/1.1 with the JDK's client. */
    private static final class Http11Exchange extends Exchange {
        private final HttpClient client;
        private final HttpRequest request;
        private volatile CompletableFuture<HttpResponse<InputStream>> pending;

        Http11Exchange(HttpClient client, URI uri, ProtocolVersion version, byte[] body, BooleanSupplier maySend) {
            this.client = client;
            HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                    .version(HttpClient.Version.HTTP_1_1)
                    .header("content-type", version.contentType())
                    .header("accept", version.contentType())
                    .POST(GatedBody.publisher(body, maySend));
            Tracing.httpHeaders(builder::header); // the attempt span's traceparent, when tracing
            this.request = builder.build();
        }

        @Override
        Answer send() throws IOException, InterruptedException, ExecutionException {
            pending = client.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream());
            if (aborted()) {
                cancel(); // aborted before there was a request to cancel
            }
            HttpResponse<InputStream> response;
            try {
                response = pending.get();
            } catch (InterruptedException e) {
                pending.cancel(true); // closes the connection, as an aborted call must
                throw e;
            }
            InputStream body = opened(response.body());
            return new Answer(response.statusCode(), response.headers().firstValue("content-type").orElse(null),
                    response.headers().firstValue("retry-after").orElse(null), body);
        }

        @Override
        void cancel() {
            CompletableFuture<HttpResponse<InputStream>> current = pending;
            if (current != null) {
                current.cancel(true);
            }
        }
    }

    /** HTTP/2 cleartext with prior knowledge, with OkHttp's client. */
    private static final class H2cExchange extends Exchange {
        private final Call call;

        H2cExchange(OkHttpClient client, URI uri, ProtocolVersion version, byte[] body, BooleanSupplier maySend) {
            Request.Builder request = new Request.Builder()
                    .url(uri.toString())
                    .header("accept", version.contentType())
                    // OkHttp sends the body's media type as the content-type header.
                    .post(GatedBody.okHttp(body, MediaType.get(version.contentType()), maySend));
            Tracing.httpHeaders(request::header); // the attempt span's traceparent, when tracing
            this.call = client.newCall(request.build());
        }

        @Override
        Answer send() throws IOException {
            Response response = opened(call.execute());
            ResponseBody body = response.body();
            return new Answer(response.code(), response.header("content-type"), response.header("retry-after"),
                    body == null ? InputStream.nullInputStream() : body.byteStream());
        }

        @Override
        void cancel() {
            call.cancel(); // resets the HTTP/2 stream; a read blocked on it fails
        }
    }
}

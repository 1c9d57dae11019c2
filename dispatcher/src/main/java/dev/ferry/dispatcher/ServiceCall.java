package dev.ferry.dispatcher;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.client.BoundedWaits;
import dev.ferry.schemas.Durations;
import dev.ferry.schemas.HeaderValues;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.Payload;
import dev.ferry.schemas.RecordLimits;
import dev.ferry.schemas.Target;
import dev.ferry.schemas.Tracing;
import dev.ferry.schemas.commands.AttemptFailed;
import dev.ferry.schemas.commands.Command;
import dev.ferry.schemas.commands.Completion;
import dev.ferry.schemas.commands.Failure;
import dev.ferry.schemas.commands.Header;
import dev.ferry.schemas.commands.Outcome;
import dev.ferry.schemas.dispatch.Dispatch;
import dev.ferry.schemas.dispatch.RequestSignature;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One attempt as an HTTP request to the service endpoint, and the rules that turn its answer into an outcome:
 *
 * <ul>
 *   <li>2xx: success, the body and content type are the result;
 *   <li>4xx other than 408 and 429: terminal failure, with the status and the body's message;
 *   <li>5xx, 408, 429, refused or reset connections, timeouts: retryable, honouring {@code Retry-After};
 *   <li>a 2xx body larger than the body limit: terminal failure (502), read no further than the limit.
 * </ul>
 */
public final class ServiceCall {
    public static final String HEADER_INVOCATION_ID = "x-restate-id";
    public static final String HEADER_KEY = "x-restate-key";
    public static final String HEADER_ATTEMPT = "x-ferry-attempt";
    public static final String HEADER_IDEMPOTENCY_KEY = "idempotency-key";

    /** Headers the caller sent that must not be forwarded: hop-by-hop ones, and those the HTTP client sets. */
    private static final Set<String> NOT_FORWARDED = Set.of(
            "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "trailers",
            "transfer-encoding", "upgrade", "host", "content-length", "expect", "content-type",
            HEADER_INVOCATION_ID, HEADER_KEY, HEADER_ATTEMPT, HEADER_IDEMPOTENCY_KEY, "http2-settings",
            RequestSignature.HEADER);
    private static final int MAX_MESSAGE_CHARS = 4_096;

    private final HttpClient client;
    private final int maxBodyBytes;

    public ServiceCall(HttpClient client) {
        this(client, RecordLimits.DEFAULT_MAX_BODY_BYTES);
    }

    /** @param maxBodyBytes the largest response body taken as a result; a larger one is a terminal failure */
    public ServiceCall(HttpClient client, int maxBodyBytes) {
        this.client = client;
        this.maxBodyBytes = maxBodyBytes;
    }

    /**
     * Runs the attempt against the endpoint at {@code baseUri}; returns the command that reports its outcome, or
     * null when the dispatcher stopped before the call ended (nothing is known: the lease decides).
     *
     * <p>The service's inactivity timeout bounds the whole answer, from sending the request to the end of the
     * response body: a plain HTTP handler answers when it is done, so there is no progress to measure in between,
     * and a service that sends its headers and then streams without end is aborted like one that never answers.
     *
     * @param signingKey the key to sign the request with ({@link RequestSignature}), null to send it unsigned
     */
    public Command run(Dispatch dispatch, String baseUri, String signingKey) {
        return run(dispatch, baseUri, signingKey, () -> true);
    }

    /**
     * The same, asking {@code maySend} right before the request's body is written ({@link GatedBody}); when it says
     * no, nothing is sent and null is returned (the lease decides).
     */
    public Command run(Dispatch dispatch, String baseUri, String signingKey, BooleanSupplier maySend) {
        HttpRequest request;
        try {
            request = request(dispatch, baseUri, signingKey, maySend);
        } catch (IllegalArgumentException e) {
            return new Completion(dispatch.invocationId(), dispatch.attempt(),
                    Outcome.failure(400, "cannot build the request to the service: " + e.getMessage()));
        }
        if (dispatch.body().isEmpty() && !maySend.getAsBoolean()) {
            // The JDK's client sends an empty body with the headers, without asking its publisher: ask here, as late
            // as the request lets.
            return null;
        }
        BoundedBody body = new BoundedBody(maxBodyBytes);
        // The request's own timeout covers the wait for the headers; this deadline, from the same start, the body's
        // end. Synchronous send on this virtual thread: the client's sendAsync hands every answer to the common pool
        // before its caller sees it, one more thread woken a call.
        ScheduledFuture<?> deadline = dispatch.timeoutMillis() == null ? null
                : BoundedWaits.after(TimeUnit.MILLISECONDS.toNanos(dispatch.timeoutMillis()),
                        () -> body.abort(new HttpTimeoutException("the response body did not end in time")));
        try {
            HttpResponse<byte[]> response = client.send(request, body);
            return classify(dispatch, response.statusCode(),
                    response.headers().firstValue("content-type").orElse(null),
                    response.body(),
                    response.headers().firstValue("retry-after").orElse(null));
        } catch (IOException e) {
            if (GatedBody.withheld(e)) {
                return null;
            }
            return failed(dispatch, request, e);
        } catch (InterruptedException e) {
            // The client cancelled the exchange, which closes the connection, as an aborted call must.
            Thread.currentThread().interrupt();
            return null;
        } finally {
            if (deadline != null) {
                deadline.cancel(false);
            }
        }
    }

    private Command failed(Dispatch dispatch, HttpRequest request, Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof BoundedBody.TooLarge tooLarge) {
                // Retrying would bring the same answer; carried on, it would not fit the records.
                return new Completion(dispatch.invocationId(), dispatch.attempt(),
                        Outcome.failure(502, tooLarge.getMessage()));
            }
            if (cause instanceof HttpTimeoutException && !(cause instanceof HttpConnectTimeoutException)
                    && dispatch.timeoutMillis() != null) {
                return timedOut(dispatch);
            }
        }
        return retry(dispatch, callFailure(request.uri(), error), null);
    }

    private static Command timedOut(Dispatch dispatch) {
        return retry(dispatch, timeoutFailure(dispatch.timeoutMillis()), null);
    }

    /**
     * The retryable failure of an attempt whose answer did not end within the service's inactivity timeout. The
     * timeout bounds the whole answer, from sending the request to the end of its body (see {@link #run}).
     */
    static Failure timeoutFailure(long timeoutMillis) {
        return new Failure(504, "the service did not answer within "
                + Durations.format(Duration.ofMillis(timeoutMillis)));
    }

    /** The retryable failure of a call that broke: refused, reset or closed connections, a connect timeout. */
    static Failure callFailure(URI uri, Throwable error) {
        return new Failure(503, "calling " + uri + " failed: "
                + (error instanceof IOException io ? describe(io) : error.toString()));
    }

    /** Where a handler is called: {@code {base}/invoke/{service}/{handler}}, the names percent-encoded. */
    static URI invokeUri(String baseUri, Target target) {
        String base = baseUri.endsWith("/") ? baseUri.substring(0, baseUri.length() - 1) : baseUri;
        return URI.create(base + "/invoke/" + pathSegment(target.service()) + "/" + pathSegment(target.handler()));
    }

    private HttpRequest request(Dispatch dispatch, String baseUri, String signingKey, BooleanSupplier maySend) {
        URI uri = invokeUri(baseUri, dispatch.target());
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                .POST(GatedBody.publisher(dispatch.body().bytes(), maySend));
        if (dispatch.timeoutMillis() != null) {
            // The service's inactivity timeout. The JDK client's timeout covers the wait for the response headers,
            // which a plain HTTP handler sends when it is done.
            builder.timeout(Duration.ofMillis(dispatch.timeoutMillis()));
        }
        boolean tracing = Tracing.tracer() != null;
        for (Header header : dispatch.headers()) {
            String name = header.name().toLowerCase(Locale.ROOT);
            // Tracing: the caller's trace context is replaced by the one of this attempt's span, its child.
            if (!NOT_FORWARDED.contains(name) && isToken(header.name())
                    && !(tracing && Tracing.HEADERS.contains(name))) {
                Header sent = HeaderValues.printableAscii(header.value()) ? header
                        : HeaderValues.forHttp(header.name(), header.value().getBytes(StandardCharsets.UTF_8));
                builder.header(sent.name(), sent.value());
            }
        }
        if (dispatch.contentType() != null) {
            builder.header("content-type", dispatch.contentType());
        }
        builder.header(HEADER_INVOCATION_ID, dispatch.invocationId().toString());
        builder.header(HEADER_ATTEMPT, Integer.toString(dispatch.attempt()));
        if (tracing) {
            Tracing.httpHeaders(builder::header);
        }
        // Keys are any UTF-8 text (€, a newline, a slash), which a header cannot carry: they travel percent-encoded.
        String key = dispatch.target().key() == null ? null : HeaderValues.percentEncode(dispatch.target().key());
        if (key != null) {
            builder.header(HEADER_KEY, key);
        }
        if (dispatch.idempotencyKey() != null) {
            builder.header(HEADER_IDEMPOTENCY_KEY, HeaderValues.percentEncode(dispatch.idempotencyKey()));
        }
        if (signingKey != null) {
            builder.header(RequestSignature.HEADER, RequestSignature.sign(signingKey,
                    System.currentTimeMillis() / 1000, dispatch.invocationId().toString(), uri.getRawPath(), key,
                    dispatch.body().bytes()));
        }
        return builder.build();
    }

    /**
     * An HTTP header name (RFC 9110 token). Headers from direct producers and subscriptions may be named anything;
     * one that HTTP cannot carry is left out rather than failing the invocation.
     */
    private static boolean isToken(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    static Command classify(Dispatch dispatch, int status, String contentType, byte[] body, String retryAfter) {
        if (status >= 200 && status < 300) {
            return new Completion(dispatch.invocationId(), dispatch.attempt(),
                    Outcome.success(status, contentType, Payload.of(body)));
        }
        Failure failure = new Failure(status, message(status, body));
        if (status >= 400 && status < 500 && status != 408 && status != 429) {
            return new Completion(dispatch.invocationId(), dispatch.attempt(), new Outcome(null, failure));
        }
        return retry(dispatch, failure, retryAfterMillis(retryAfter));
    }

    private static Command retry(Dispatch dispatch, Failure failure, Long retryAfterMillis) {
        return new AttemptFailed(dispatch.invocationId(), dispatch.attempt(), failure, retryAfterMillis);
    }

    /** The failure message: the {@code message} of a JSON error body, else the body's text, else the status. */
    static String message(int status, byte[] body) {
        if (body.length > 0) {
            try {
                JsonNode json = Json.MAPPER.readTree(body);
                if (json != null && json.isObject() && json.path("message").isTextual()) {
                    return truncate(json.get("message").asText());
                }
            } catch (IOException e) {
                // not JSON: the text itself is the message
            }
            String text = new String(body, StandardCharsets.UTF_8).strip();
            if (!text.isEmpty()) {
                return truncate(text);
            }
        }
        return "the service answered HTTP " + status;
    }

    /** {@code Retry-After} in seconds or as an HTTP date; null when absent or unreadable. */
    static Long retryAfterMillis(String retryAfter) {
        if (retryAfter == null || retryAfter.isBlank()) {
            return null;
        }
        try {
            return Math.max(0, Long.parseLong(retryAfter.trim())) * 1000;
        } catch (NumberFormatException e) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(retryAfter.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
                return Math.max(0, at.toInstant().toEpochMilli() - System.currentTimeMillis());
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
    }

    static String truncate(String text) {
        return text.length() <= MAX_MESSAGE_CHARS ? text : text.substring(0, MAX_MESSAGE_CHARS) + "…";
    }

    private static String pathSegment(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * The first message along the causes; without one, the innermost cause's kind. The client's synchronous send
     * throws a copy of what failed, of the same kind and message, with the original as its cause.
     */
    private static String describe(IOException e) {
        Throwable innermost = e;
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null && !cause.getMessage().isBlank()) {
                return cause.getMessage();
            }
            innermost = cause;
        }
        return innermost.getClass().getSimpleName();
    }
}

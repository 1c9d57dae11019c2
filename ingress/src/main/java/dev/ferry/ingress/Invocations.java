package dev.ferry.ingress;

import dev.ferry.client.ProcessorClient;
import dev.ferry.http.HttpError;
import dev.ferry.http.RequestBodies;
import dev.ferry.ingress.InvocationPaths.InvocationRequest;
import dev.ferry.registry.InputRules;
import dev.ferry.registry.RegisteredService;
import dev.ferry.registry.Registry;
import dev.ferry.registry.RegistryView;
import dev.ferry.registry.ServiceSettings;
import dev.ferry.registry.Targets;
import dev.ferry.schemas.Durations;
import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.InvocationIds;
import dev.ferry.schemas.LogContext;
import dev.ferry.schemas.Payload;
import dev.ferry.schemas.Target;
import dev.ferry.schemas.Tracing;
import dev.ferry.schemas.commands.Command;
import dev.ferry.schemas.commands.Header;
import dev.ferry.schemas.commands.Invoke;
import dev.ferry.schemas.commands.ReplyTo;
import dev.ferry.schemas.deployments.HandlerManifest;
import dev.ferry.schemas.replies.Reply;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Calls and sends: parses the request, checks it against the registry, appends an {@code Invoke} to the command
 * log and answers with the handler's result (a call) or the submission's acceptance (a send).
 */
public final class Invocations {
    static final String HEADER_IDEMPOTENCY_KEY = "idempotency-key";
    static final String DELAY_ON_CALL =
            "cannot use the delay query parameter with calls. The delay is supported only with sends";
    /** Headers that describe the connection or the body rather than the request, and are not passed on. */
    private static final Set<String> NOT_PASSED_ON = Set.of(
            "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "trailers",
            "transfer-encoding", "upgrade", "host", "content-length", "expect", "content-type", "http2-settings",
            "prefer", HEADER_IDEMPOTENCY_KEY);

    private final RegistryView registry;
    private final ProcessorClient processor;
    private final ServiceSettings defaults;
    private final InputValidation inputValidation = new InputValidation();

    public Invocations(RegistryView registry, ProcessorClient processor, ServiceSettings defaults) {
        this.registry = registry;
        this.processor = processor;
        this.defaults = defaults;
    }

    /** The client that appends the ingress's commands: awakeables use it too. */
    ProcessorClient processor() {
        return processor;
    }

    /** {@code /{Service}/{handler}[/send]}, {@code /{Object}/{key}/{handler}[/send]} */
    public void classic(ServerRequest req, ServerResponse res) {
        String rawPath = req.prologue().uriPath().rawPath();
        InvocationRequest parsed = InvocationPaths.classic(rawPath, registry.registry());
        checkMethod(req);
        invoke(req, res, parsed);
    }

    /** {@code /restate/call/…} and {@code /restate/send/…} */
    public void restateForm(ServerRequest req, ServerResponse res, String rawRest, boolean send) {
        InvocationRequest parsed = InvocationPaths.restateForm(rawRest, send, registry.registry());
        checkMethod(req);
        invoke(req, res, parsed);
    }

    /** Restate accepts GET as a call with an empty body; other methods are refused. */
    private static void checkMethod(ServerRequest req) {
        Method method = req.prologue().method();
        if (!method.equals(Method.POST) && !method.equals(Method.GET)) {
            throw HttpError.methodNotAllowed();
        }
    }

    private void invoke(ServerRequest req, ServerResponse res, InvocationRequest request) {
        Tracer tracer = Tracing.tracer();
        if (tracer == null) {
            try {
                submit(req, res, request);
            } finally {
                LogContext.leave();
            }
            return;
        }
        traced(tracer, req, res, request);
    }

    /**
     * A call or send as a span of its own, continuing the caller's trace when the request has a {@code traceparent}:
     * the {@code Invoke} it appends carries the span's trace context in its record's headers (see
     * {@code CommandLog}), and so does everything the invocation leads to.
     */
    private void traced(Tracer tracer, ServerRequest req, ServerResponse res, InvocationRequest request) {
        Target target = request.target();
        Span span = tracer.spanBuilder((request.send() ? "send " : "call ") + target.service() + "/"
                        + target.handler())
                .setParent(Tracing.from(req, REQUEST_HEADERS))
                .setSpanKind(SpanKind.SERVER)
                .setAttribute(Tracing.SERVICE, target.service())
                .setAttribute(Tracing.HANDLER, target.handler())
                .startSpan();
        try (Scope ignored = span.makeCurrent()) {
            submit(req, res, request);
            span.setAttribute("http.response.status_code", res.status().code());
        } catch (HttpError e) {
            // A refusal the caller gets as its answer: an error of Ferry's only when it is a 5xx.
            span.setAttribute("http.response.status_code", e.status());
            if (e.status() >= 500) {
                span.setStatus(StatusCode.ERROR, e.getMessage());
            }
            throw e;
        } catch (RuntimeException e) {
            span.setStatus(StatusCode.ERROR, e.toString());
            throw e;
        } finally {
            LogContext.leave();
            span.end();
        }
    }

    /** A request's trace context headers, for {@link Tracing#from}. */
    private static final TextMapGetter<ServerRequest> REQUEST_HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(ServerRequest req) {
            List<String> names = new ArrayList<>();
            req.headers().forEach(header -> names.add(header.name()));
            return names;
        }

        @Override
        public String get(ServerRequest req, String name) {
            return req == null ? null : req.headers().first(HeaderNames.create(name)).orElse(null);
        }
    };

    private void submit(ServerRequest req, ServerResponse res, InvocationRequest request) {
        Target target = request.target();
        req.context().register(new IngressOperation(request.send() ? "send" : "call", target.service(),
                target.handler()));
        Registry snapshot = registry.registry();
        long now = System.currentTimeMillis();
        Long executeAt = delay(req, request.send()).map(d -> now + d.toMillis()).orElse(null);

        String idempotencyKey = idempotencyKey(req);
        if (idempotencyKey != null && target.workflowRun()) {
            throw HttpError.badRequest(Targets.KEY_ON_WORKFLOW);
        }

        String contentType = req.headers().first(HeaderNames.CONTENT_TYPE).orElse(null);
        byte[] body = RequestBodies.bytes(req);
        RegisteredService service = snapshot.service(target.service())
                .orElseThrow(() -> HttpError.notFound("service '" + target.service() + "' was removed"));
        HandlerManifest handler = service.handler(target.handler());
        String refused = InputRules.of(handler).check(contentType, body.length == 0);
        if (refused != null) {
            throw HttpError.badRequest(refused);
        }
        ServiceSettings settings = snapshot.settings(target.service(), target.handler(), defaults);
        if (settings.validateInput()) {
            inputValidation.check(service, handler, body);
        }

        Preferences preferences = Preferences.of(req);
        boolean requireSameRequest = preferences.strict() || settings.rejectChangedRequests();
        InvocationId invocationId = InvocationIds.forSubmission(target, idempotencyKey);
        List<Header> headers = passedOnHeaders(req);
        String id = invocationId.toString();
        LogContext.enter(id, target, 0);
        if (Tracing.tracer() != null) {
            Span.current().setAttribute(Tracing.INVOCATION_ID, id);
        }

        if (request.send() && !InvocationIds.isDeterministic(target, idempotencyKey) && !target.exclusive()) {
            // A plain send to a service or a shared handler: once the log has it, nothing about it needs the
            // processor's verdict. One to an exclusive handler does: its key's inbox may be full (429).
            processor.tell(new Invoke(invocationId, target, null, contentType, headers, Payload.of(body), null,
                    executeAt, true, null, false, now, null));
            Responses.accepted(res, Reply.of(Reply.Kind.ACCEPTED, null, invocationId), executeAt);
            return;
        }
        Duration maxWait = request.send() ? null : preferences.waitOr(settings.maxWait());
        Function<ReplyTo, Command> submission = replyTo -> new Invoke(invocationId, target, idempotencyKey,
                contentType, headers, Payload.of(body), null, executeAt, request.send(), replyTo, requireSameRequest,
                now, null);
        // A call waits for the result, which may come for several requests at once (see Waiters).
        Optional<Reply> reply = request.send() ? processor.ask(submission, maxWait)
                : processor.askAbout(invocationId, submission, maxWait,
                        () -> ClosedConnections.closedByClient(req.localPeer(), req.remotePeer()));
        if (reply.isEmpty()) {
            Responses.stillRunning(res, invocationId);
        } else if (request.send()) {
            Responses.accepted(res, reply.get(), executeAt);
        } else {
            Responses.result(res, reply.get());
        }
    }

    private static Optional<Duration> delay(ServerRequest req, boolean send) {
        Optional<String> delay = req.query().first("delay").asOptional();
        if (delay.isEmpty()) {
            return Optional.empty();
        }
        if (!send) {
            throw HttpError.badRequest(DELAY_ON_CALL);
        }
        try {
            return Optional.of(Durations.parse(delay.get()));
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("bad delay query parameter, must be a ISO8601 duration: " + e.getMessage());
        }
    }

    /**
     * The idempotency key as the client wrote it: curl sends {@code -H 'idempotency-key: €'} as the key's UTF-8
     * bytes, read here as UTF-8, so the key given in an attach URL ({@code %E2%82%AC}) names the same invocation.
     */
    private static String idempotencyKey(ServerRequest req) {
        HeaderName name = HeaderNames.create(HEADER_IDEMPOTENCY_KEY);
        if (!req.headers().contains(name)) {
            return null;
        }
        String key = RequestHeaderText.utf8(req.headers().get(name));
        if (key == null) {
            throw HttpError.badRequest("the idempotency-key header is not UTF-8 text");
        }
        return key;
    }

    private static List<Header> passedOnHeaders(ServerRequest req) {
        List<Header> headers = new ArrayList<>();
        req.headers().forEach(header -> {
            String name = header.name().toLowerCase(Locale.ROOT);
            if (!NOT_PASSED_ON.contains(name)) {
                if (header.valueCount() == 1) {
                    String text = RequestHeaderText.utf8(header);
                    headers.add(new Header(name, text != null ? text : header.get()));
                } else {
                    for (String value : header.allValues()) {
                        headers.add(new Header(name, value));
                    }
                }
            }
        });
        return headers;
    }
}

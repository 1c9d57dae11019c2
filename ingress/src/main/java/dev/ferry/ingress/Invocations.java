package dev.ferry.ingress;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.ingress.InvocationPaths.InvocationRequest;
import dev.ferry.registry.RegistryView;
import dev.ferry.schemas.CommandLog;
import dev.ferry.schemas.Durations;
import dev.ferry.schemas.Header;
import dev.ferry.schemas.InvocationIds;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.Outcome;
import dev.ferry.schemas.Payload;
import dev.ferry.schemas.Reply;
import dev.ferry.schemas.ReplyTo;
import dev.ferry.schemas.Target;
import dev.ferry.schemas.command.Invoke;
import dev.ferry.schemas.registry.HandlerManifest;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Calls and sends: parses the request, checks it against the registry, appends an {@code Invoke} to the command
 * log and answers with the handler's result (a call) or the submission's acceptance (a send).
 */
public final class Invocations {
    static final String HEADER_IDEMPOTENCY_KEY = "idempotency-key";
    static final String DELAY_ON_CALL =
            "cannot use the delay query parameter with calls. The delay is supported only with sends";
    static final String KEY_ON_WORKFLOW = "cannot use the idempotency key with workflow handlers. "
            + "The handler invocation will already be idempotent by the workflow key itself.";

    /** Headers that describe the connection or the body rather than the request, and are not passed on. */
    private static final Set<String> NOT_PASSED_ON = Set.of(
            "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "trailers",
            "transfer-encoding", "upgrade", "host", "content-length", "expect", "content-type", "http2-settings",
            HEADER_IDEMPOTENCY_KEY);

    private final String ingressId;
    private final RegistryView registry;
    private final CommandLog commandLog;
    private final Waiters waiters;

    public Invocations(String ingressId, RegistryView registry, CommandLog commandLog, Waiters waiters) {
        this.ingressId = ingressId;
        this.registry = registry;
        this.commandLog = commandLog;
        this.waiters = waiters;
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
            throw IngressError.methodNotAllowed();
        }
    }

    private void invoke(ServerRequest req, ServerResponse res, InvocationRequest request) {
        Target target = request.target();
        long now = System.currentTimeMillis();
        Long executeAt = delay(req, request.send()).map(d -> now + d.toMillis()).orElse(null);

        String idempotencyKey = req.headers().first(HeaderNames.create(HEADER_IDEMPOTENCY_KEY)).orElse(null);
        if (idempotencyKey != null && target.workflowRun()) {
            throw IngressError.badRequest(KEY_ON_WORKFLOW);
        }

        String contentType = req.headers().first(HeaderNames.CONTENT_TYPE).orElse(null);
        byte[] body = req.content().hasEntity() ? req.content().as(byte[].class) : new byte[0];
        HandlerManifest handler = registry.registry().service(target.service())
                .map(s -> s.handler(target.handler()))
                .orElseThrow(() -> IngressError.notFound("service '" + target.service() + "' was removed"));
        InputRules.of(handler).check(contentType, body.length == 0);

        String invocationId = InvocationIds.forSubmission(target, idempotencyKey).toString();
        boolean answeredByProcessor = !request.send() || InvocationIds.isDeterministic(target, idempotencyKey);
        String requestId = answeredByProcessor ? waiters.nextRequestId() : null;
        CompletableFuture<Reply> answer = requestId != null ? waiters.register(requestId) : null;
        Invoke invoke = new Invoke(
                invocationId,
                target,
                idempotencyKey,
                contentType,
                passedOnHeaders(req),
                Payload.of(body),
                executeAt,
                request.send(),
                requestId != null ? new ReplyTo(ingressId, requestId) : null,
                now);
        try {
            commandLog.append(invoke).get();
            if (answer == null) {
                // A plain send: the log has it, and nothing about it needs the processor's verdict.
                accepted(res, Reply.of(Reply.Kind.ACCEPTED, null, invocationId), executeAt);
                return;
            }
            Reply reply = answer.get();
            if (request.send()) {
                accepted(res, reply, executeAt);
            } else {
                result(res, reply);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw IngressError.ingress(503, "the ingress is shutting down");
        } catch (ExecutionException e) {
            throw IngressError.ingress(503, "could not submit the invocation: " + e.getCause().getMessage());
        } finally {
            if (answer != null) {
                answer.cancel(false);
            }
        }
    }

    private static Optional<Duration> delay(ServerRequest req, boolean send) {
        Optional<String> delay = req.query().first("delay").asOptional();
        if (delay.isEmpty()) {
            return Optional.empty();
        }
        if (!send) {
            throw IngressError.badRequest(DELAY_ON_CALL);
        }
        try {
            return Optional.of(Durations.parse(delay.get()));
        } catch (IllegalArgumentException e) {
            throw IngressError.badRequest("bad delay query parameter '" + delay.get() + "': " + e.getMessage());
        }
    }

    private static List<Header> passedOnHeaders(ServerRequest req) {
        List<Header> headers = new ArrayList<>();
        req.headers().forEach(header -> {
            String name = header.name().toLowerCase(Locale.ROOT);
            if (!NOT_PASSED_ON.contains(name)) {
                for (String value : header.allValues()) {
                    headers.add(new Header(name, value));
                }
            }
        });
        return headers;
    }

    /** 202 {@code {"invocationId":…,["executionTime":…,]"status":"Accepted"|"PreviouslyAccepted"}} */
    private static void accepted(ServerResponse res, Reply reply, Long executeAt) {
        if (reply.kind() == Reply.Kind.RESULT) {
            result(res, reply); // a send that the processor refused (e.g. a bad record)
            return;
        }
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("invocationId", reply.invocationId());
        if (executeAt != null) {
            body.put("executionTime", Responses.executionTime(executeAt));
        }
        body.put("status", reply.kind() == Reply.Kind.PREVIOUSLY_ACCEPTED ? "PreviouslyAccepted" : "Accepted");
        res.header(Responses.HEADER_INVOCATION_ID, reply.invocationId());
        Responses.json(res, 202, body);
    }

    /** The invocation's result as the original call answers it: status, content type and body, or the failure. */
    static void result(ServerResponse res, Reply reply) {
        Outcome outcome = reply.outcome();
        if (outcome == null) {
            throw new IllegalStateException("a " + reply.kind() + " reply where a result was expected");
        }
        if (reply.retainedUntil() != null) {
            res.header(Responses.HEADER_IDEMPOTENCY_EXPIRES, Responses.expires(reply.retainedUntil()));
        }
        if (!outcome.succeeded()) {
            throw new IngressError(outcome.failure().code(), outcome.failure().message(),
                    IngressError.Source.INVOCATION, reply.invocationId());
        }
        Outcome.Success success = outcome.success();
        res.header(Responses.HEADER_INVOCATION_ID, reply.invocationId());
        res.status(Status.create(success.status()));
        if (success.contentType() != null && !success.body().isEmpty()) {
            res.header(HeaderNames.CONTENT_TYPE, success.contentType());
        }
        res.send(success.body().bytes());
    }
}

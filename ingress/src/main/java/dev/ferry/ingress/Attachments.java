package dev.ferry.ingress;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.client.ProcessorClient;
import dev.ferry.http.HttpAnswers;
import dev.ferry.http.HttpError;
import dev.ferry.http.RequestBodies;
import dev.ferry.registry.RegisteredService;
import dev.ferry.registry.Registry;
import dev.ferry.registry.RegistryView;
import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.InvocationIds;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.commands.Attach;
import dev.ferry.schemas.commands.GetOutput;
import dev.ferry.schemas.deployments.HandlerManifest;
import dev.ferry.schemas.deployments.HandlerType;
import dev.ferry.schemas.replies.Reply;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Attach (wait for the result) and output (peek at it), in every URL form Restate 1.7 answers:
 *
 * <ul>
 *   <li>{@code GET /restate/invocation/{id}/attach|output}, {@code GET /restate/attach|output/{id}};
 *   <li>{@code GET /restate/invocation/{Service}/{handler}/{idempotencyKey}/attach|output}, and with
 *       {@code {Object}/{key}/} for objects;
 *   <li>{@code GET /restate/workflow/{Workflow}/{id}/attach|output};
 *   <li>{@code POST /restate/attach|output} with a target body, and {@code POST /restate/lookup}, which only
 *       computes the id.
 * </ul>
 *
 * <p>The id names the partition that owns the invocation, so the question goes straight to it on the log.
 */
public final class Attachments {
    static final String BAD_INVOCATION_PATH = "bad path, expected either /restate/invocation/:invocation_id/output"
            + " or /restate/invocation/:invocation_id/attach or /restate/invocation/:invocation_target/"
            + ":idempotency_key/output or /restate/invocation/:invocation_target/:idempotency_key/attach";
    static final String BAD_WORKFLOW_PATH = "bad path, expected either /restate/workflow/:workflow_name/"
            + ":workflow_key/output or /restate/workflow/:workflow_name/:workflow_key/attach";

    private final RegistryView registry;
    private final ProcessorClient processor;

    /** What a request asks for: an invocation, and whether it is known not to exist without asking. */
    private record Lookup(InvocationId invocationId, boolean knownMissing) {}

    private enum Operation {
        ATTACH,
        OUTPUT
    }

    public Attachments(RegistryView registry, ProcessorClient processor) {
        this.registry = registry;
        this.processor = processor;
    }

    /** {@code /restate/invocation/…} */
    public void invocationPath(ServerRequest req, ServerResponse res, String rawRest) {
        List<String> segments = InvocationPaths.segments("/" + rawRest);
        Operation operation;
        Lookup lookup;
        switch (segments.size()) {
            case 2 -> {
                operation = operation(segments.get(1));
                checkGet(req);
                lookup = byId(segments.get(0));
            }
            case 4, 5 -> {
                RegisteredService service = service(segments.get(0));
                boolean keyed = service.manifest().ty().keyed();
                if (keyed != (segments.size() == 5)) {
                    throw HttpError.badRequest(BAD_INVOCATION_PATH);
                }
                operation = operation(segments.get(segments.size() - 1));
                checkGet(req);
                String key = keyed ? InvocationPaths.decode(segments.get(1)) : null;
                String handler = segments.get(segments.size() - 3);
                String idempotencyKey = InvocationPaths.decode(segments.get(segments.size() - 2));
                HandlerManifest manifest = service.handler(handler);
                lookup = new Lookup(InvocationIds.idempotent(service.name(), key, handler, idempotencyKey),
                        manifest == null);
            }
            default -> throw HttpError.badRequest(BAD_INVOCATION_PATH);
        }
        answer(req, res, operation, lookup);
    }

    /** {@code /restate/workflow/{Workflow}/{id}/attach|output} */
    public void workflowPath(ServerRequest req, ServerResponse res, String rawRest) {
        List<String> segments = InvocationPaths.segments("/" + rawRest);
        if (segments.size() != 3) {
            throw HttpError.badRequest(BAD_WORKFLOW_PATH);
        }
        RegisteredService service = service(segments.get(0));
        Operation operation = operation(segments.get(2));
        checkGet(req);
        answer(req, res, operation, workflow(service, InvocationPaths.decode(segments.get(1))));
    }

    /** {@code /restate/attach/{id}} and {@code /restate/output/{id}} */
    public void byIdPath(ServerRequest req, ServerResponse res, String rawRest, boolean attach) {
        List<String> segments = InvocationPaths.segments("/" + rawRest);
        if (segments.size() != 1) {
            throw HttpError.badRequest(InvocationPaths.BAD_RESTATE_PATH);
        }
        checkGet(req);
        answer(req, res, attach ? Operation.ATTACH : Operation.OUTPUT, byId(segments.get(0)));
    }

    /** {@code POST /restate/attach} and {@code POST /restate/output} with a target body. */
    public void byTarget(ServerRequest req, ServerResponse res, boolean attach) {
        if (!req.prologue().method().equals(Method.POST)) {
            throw HttpError.methodNotAllowed();
        }
        answer(req, res, attach ? Operation.ATTACH : Operation.OUTPUT, target(req));
    }

    /** {@code POST /restate/lookup}: the id a target has (or would have), without asking anyone. */
    public void lookup(ServerRequest req, ServerResponse res) {
        if (!req.prologue().method().equals(Method.POST)) {
            throw HttpError.methodNotAllowed();
        }
        HttpAnswers.json(res, 200, Json.MAPPER.createObjectNode().put("invocationId", target(req).invocationId().toString()));
    }

    private void answer(ServerRequest req, ServerResponse res, Operation operation, Lookup lookup) {
        req.context().register(new IngressOperation(operation == Operation.ATTACH ? "attach" : "output", "", ""));
        if (lookup.knownMissing()) {
            notFound(operation, lookup.invocationId());
        }
        Reply reply;
        if (operation == Operation.OUTPUT) {
            reply = processor.ask(replyTo -> new GetOutput(lookup.invocationId(), replyTo), null).orElseThrow();
        } else {
            Duration maxWait = Preferences.of(req).maxWait();
            Optional<Reply> answered = processor.askAbout(lookup.invocationId(),
                    replyTo -> new Attach(lookup.invocationId(), replyTo), maxWait,
                    () -> ClosedConnections.closedByClient(req.localPeer(), req.remotePeer()));
            if (answered.isEmpty()) {
                Responses.stillRunning(res, lookup.invocationId());
                return;
            }
            reply = answered.get();
        }
        switch (reply.kind()) {
            case NOT_FOUND -> notFound(operation, lookup.invocationId());
            case NOT_READY -> throw HttpError.of(470, "the invocation exists but has not completed yet");
            default -> Responses.result(res, reply);
        }
    }

    /** Restate's two "not found" answers: output says so as the ingress, attach as the invocation. */
    private static void notFound(Operation operation, InvocationId invocationId) {
        if (operation == Operation.OUTPUT) {
            throw HttpError.notFound("invocation not found");
        }
        throw new HttpError(404, "not found", HttpError.Source.INVOCATION, invocationId);
    }

    private static Lookup byId(String text) {
        try {
            return new Lookup(InvocationId.parse(text), false);
        } catch (InvocationId.InvalidIdException e) {
            throw HttpError.badRequest("bad invocation id '" + text + "': " + e.getMessage());
        }
    }

    private static Lookup workflow(RegisteredService service, String workflowId) {
        boolean isWorkflow = service.manifest().handlers().stream()
                .anyMatch(h -> h.effectiveType(service.manifest().ty()) == HandlerType.WORKFLOW);
        return new Lookup(InvocationIds.workflowRun(service.name(), workflowId), !isWorkflow);
    }

    /** Reads a Restate lookup target: {@code {"target":"invocation"|"workflow"|"idempotentInvocation", …}}. */
    private Lookup target(ServerRequest req) {
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(RequestBodies.bytes(req));
        } catch (IOException e) {
            throw HttpError.badRequest("cannot read body: invalid lookup body: " + e.getMessage());
        }
        if (body == null || !body.isObject() || !body.path("target").isTextual()) {
            throw HttpError.badRequest("cannot read body: invalid lookup body: missing field `target`");
        }
        return switch (body.get("target").asText()) {
            case "invocation" -> byId(text(body, "invocationId"));
            case "workflow" -> workflow(service(text(body, "workflowName")), text(body, "workflowKey"));
            case "idempotentInvocation" -> {
                RegisteredService service = service(text(body, "service"));
                String key = body.path("key").isTextual() ? body.get("key").asText() : null;
                String handler = text(body, "handler");
                yield new Lookup(InvocationIds.idempotent(service.name(), key, handler,
                        text(body, "idempotencyKey")), service.handler(handler) == null);
            }
            default -> throw HttpError.badRequest("cannot read body: invalid lookup body: unknown target '"
                    + body.get("target").asText() + "', expected invocation, workflow or idempotentInvocation");
        };
    }

    private static String text(JsonNode body, String field) {
        if (!body.path(field).isTextual()) {
            throw HttpError.badRequest("cannot read body: invalid lookup body: missing field `" + field + "`");
        }
        return body.get(field).asText();
    }

    private RegisteredService service(String name) {
        Registry snapshot = registry.registry();
        return snapshot.service(name).orElseThrow(() -> HttpError.notFound(
                "service '" + name + "' not found, make sure to register the service before calling it."));
    }

    private static Operation operation(String segment) {
        return switch (segment) {
            case "attach" -> Operation.ATTACH;
            case "output" -> Operation.OUTPUT;
            default -> throw HttpError.notFound("not found");
        };
    }

    private static void checkGet(ServerRequest req) {
        if (!req.prologue().method().equals(Method.GET)) {
            throw HttpError.methodNotAllowed();
        }
    }
}

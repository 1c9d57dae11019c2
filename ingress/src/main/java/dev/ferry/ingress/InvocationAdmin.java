package dev.ferry.ingress;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.InvocationView;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.Reply;
import dev.ferry.schemas.ReplyTo;
import dev.ferry.schemas.command.Cancel;
import dev.ferry.schemas.command.Command;
import dev.ferry.schemas.command.Describe;
import dev.ferry.schemas.command.Kill;
import dev.ferry.schemas.command.ListInvocations;
import dev.ferry.schemas.command.Purge;
import dev.ferry.schemas.command.Resume;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The admin API's invocation endpoints: cancel, kill, purge and resume (Restate's PATCH forms and the older
 * {@code DELETE ?mode=}), and what Restate leaves to SQL: {@code GET /invocations} with filters and paging, and
 * {@code GET /invocations/{id}}. Every one of them is a command to the partition that owns the invocation (or to
 * every partition, for a list), so it answers from any process that runs the admin API.
 */
public final class InvocationAdmin {
    private static final Duration LIST_WAIT = Duration.ofSeconds(10);
    private static final int DEFAULT_LIMIT = 100;
    private static final Set<String> STATUSES =
            Set.of("scheduled", "inboxed", "running", "backing-off", "paused", "completed");

    private final ProcessorClient processor;

    public InvocationAdmin(ProcessorClient processor) {
        this.processor = processor;
    }

    public void routes(HttpRouting.Builder routing) {
        routing.get("/invocations", this::list)
                .get("/invocations/{id}", this::describe)
                .delete("/invocations/{id}", this::deleteWithMode)
                .patch("/invocations/{id}/cancel", (req, res) -> manage(req, res, Cancel::new, Status.ACCEPTED_202))
                .patch("/invocations/{id}/kill", (req, res) -> manage(req, res, Kill::new, Status.OK_200))
                .patch("/invocations/{id}/purge", (req, res) -> manage(req, res, Purge::new, Status.OK_200))
                .patch("/invocations/{id}/resume", (req, res) -> manage(req, res, Resume::new, Status.OK_200))
                .any("/invocations/{id}/{operation}", (req, res) -> {
                    // As Restate answers: 405, an Allow header and no body.
                    res.header(HeaderNames.ALLOW, "PATCH");
                    res.status(Status.METHOD_NOT_ALLOWED_405).send();
                });
    }

    /**
     * The older form: {@code DELETE /invocations/{id}?mode=cancel|kill|purge} (cancel when absent). Restate answers
     * it 202 whatever the invocation's state, unknown and completed ones included; so does Ferry, once the
     * command is carried out.
     */
    private void deleteWithMode(ServerRequest req, ServerResponse res) {
        String mode = req.query().first("mode").asOptional().orElse("cancel").toLowerCase(Locale.ROOT);
        BiFunction<String, ReplyTo, Command> command = switch (mode) {
            case "cancel" -> Cancel::new;
            case "kill" -> Kill::new;
            case "purge" -> Purge::new;
            default -> throw AdminError.json(400, "unknown mode '" + mode + "': use cancel, kill or purge");
        };
        String id = invocationId(req);
        processor.ask(replyTo -> command.apply(id, replyTo), null).orElseThrow();
        res.status(Status.ACCEPTED_202).send();
    }

    private void manage(ServerRequest req, ServerResponse res, BiFunction<String, ReplyTo, Command> command,
            Status success) {
        String id = invocationId(req);
        Reply reply = processor.ask(replyTo -> command.apply(id, replyTo), null).orElseThrow();
        switch (reply.kind()) {
            case DONE -> res.status(success).send();
            case NOT_FOUND -> throw notFound(id);
            case REJECTED -> throw AdminError.json(reply.outcome().failure().code(), reply.outcome().failure().message());
            default -> throw new IllegalStateException("unexpected answer " + reply.kind());
        }
    }

    private void describe(ServerRequest req, ServerResponse res) {
        String id = invocationId(req);
        Reply reply = processor.ask(replyTo -> new Describe(id, replyTo), null).orElseThrow();
        if (reply.kind() == Reply.Kind.NOT_FOUND) {
            throw notFound(id);
        }
        Responses.json(res, 200, Json.MAPPER.valueToTree(reply.invocations().get(0)));
    }

    /**
     * {@code GET /invocations?status=&service=&handler=&key=&limit=&before=}: newest first; {@code next_before} in
     * the answer is the {@code before} of the next page.
     */
    private void list(ServerRequest req, ServerResponse res) {
        String status = query(req, "status").orElse(null);
        if (status != null && !STATUSES.contains(status)) {
            throw AdminError.json(400, "unknown status '" + status + "'; use one of " + STATUSES);
        }
        int limit = query(req, "limit").map(InvocationAdmin::limit).orElse(DEFAULT_LIMIT);
        Long createdBefore = null;
        String idBefore = null;
        Optional<String> before = query(req, "before");
        if (before.isPresent()) {
            String[] cursor = before.get().split("~", 2);
            try {
                createdBefore = Long.parseLong(cursor[0]);
            } catch (NumberFormatException e) {
                throw AdminError.json(400, "invalid before '" + before.get() + "': use the next_before of a page");
            }
            idBefore = cursor.length > 1 ? cursor[1] : null;
        }
        String service = query(req, "service").orElse(null);
        String handler = query(req, "handler").orElse(null);
        String key = query(req, "key").orElse(null);
        Long created = createdBefore;
        String id = idBefore;
        List<Function<ReplyTo, Command>> perPartition = new ArrayList<>();
        for (int partition = 0; partition < processor.partitions(); partition++) {
            int p = partition;
            // One more than a page from each: the only way to know whether a partition has more.
            perPartition.add(replyTo ->
                    new ListInvocations(p, status, service, handler, key, created, id, limit + 1, replyTo));
        }
        List<Reply> replies = processor.askEach(perPartition, LIST_WAIT);
        List<InvocationView> all = new ArrayList<>();
        replies.forEach(reply -> all.addAll(reply.invocations()));
        all.sort(Comparator.comparingLong(InvocationView::createdAtMillis).thenComparing(InvocationView::id)
                .reversed());
        List<InvocationView> page = all.subList(0, Math.min(limit, all.size()));

        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode invocations = body.putArray("invocations");
        page.forEach(view -> invocations.add(Json.MAPPER.valueToTree(view)));
        if (all.size() > limit) {
            InvocationView last = page.get(page.size() - 1);
            body.put("next_before", last.createdAtMillis() + "~" + last.id());
        }
        if (replies.size() < processor.partitions()) {
            // Some partition did not answer in time (a processor restarting): say so rather than hide it.
            body.put("partial", true);
        }
        Responses.json(res, 200, body);
    }

    private static int limit(String text) {
        try {
            int limit = Integer.parseInt(text);
            if (limit >= 1 && limit <= 1000) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw AdminError.json(400, "limit must be a whole number from 1 to 1000");
    }

    private static Optional<String> query(ServerRequest req, String name) {
        return req.query().first(name).asOptional().filter(value -> !value.isEmpty());
    }

    private static String invocationId(ServerRequest req) {
        String text = req.path().pathParameters().get("id");
        try {
            return InvocationId.parse(text).toString();
        } catch (InvocationId.InvalidIdException e) {
            throw AdminError.json(400, "The request field 'invocation_id' is invalid. Reason: " + e.getMessage());
        }
    }

    private static AdminError notFound(String id) {
        return AdminError.json(404, "The invocation '" + id + "' was not found.");
    }
}

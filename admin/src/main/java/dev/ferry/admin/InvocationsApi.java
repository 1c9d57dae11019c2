package dev.ferry.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.client.ProcessorClient;
import dev.ferry.http.HttpAnswers;
import dev.ferry.http.HttpError;
import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.commands.Cancel;
import dev.ferry.schemas.commands.Command;
import dev.ferry.schemas.commands.Kill;
import dev.ferry.schemas.commands.Purge;
import dev.ferry.schemas.commands.ReplyTo;
import dev.ferry.schemas.commands.Resume;
import dev.ferry.schemas.queries.InvocationQuery;
import dev.ferry.schemas.queries.ListInvocations;
import dev.ferry.schemas.replies.InvocationCursor;
import dev.ferry.schemas.replies.InvocationStatus;
import dev.ferry.schemas.replies.Reply;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * The admin API's invocation endpoints: cancel, kill, purge and resume (Restate's PATCH forms and the older
 * {@code DELETE ?mode=}), and what Restate leaves to SQL: {@code GET /invocations} with filters and paging, and
 * {@code GET /invocations/{id}}. A management operation is a command to the partition that owns the invocation; a
 * list or a describe is a query every processor answers from its stores ({@link ProcessorClient#list}, {@link ProcessorClient#describe}), so it never
 * touches the command log. Either answers from any process that runs the admin API.
 */
public final class InvocationsApi implements HttpService {
    private static final Duration QUERY_WAIT = InvocationQuery.ANSWER_WITHIN;
    private static final int DEFAULT_LIMIT = 50;

    private final ProcessorClient processor;

    public InvocationsApi(ProcessorClient processor) {
        this.processor = processor;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::list)
                .get("/{id}", this::describe)
                .delete("/{id}", this::deleteWithMode)
                .patch("/{id}/cancel", (req, res) -> manage(req, res, Cancel::new, Status.ACCEPTED_202))
                .patch("/{id}/kill", (req, res) -> manage(req, res, Kill::new, Status.OK_200))
                .patch("/{id}/purge", (req, res) -> manage(req, res, Purge::new, Status.OK_200))
                .patch("/{id}/resume", (req, res) -> manage(req, res, Resume::new, Status.OK_200))
                .any("/{id}/{operation}", (req, res) -> {
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
        BiFunction<InvocationId, ReplyTo, Command> command = switch (mode) {
            case "cancel" -> Cancel::new;
            case "kill" -> Kill::new;
            case "purge" -> Purge::new;
            default -> throw HttpError.of(400, "unknown mode '" + mode + "': use cancel, kill or purge");
        };
        InvocationId id = invocationId(req);
        processor.ask(replyTo -> command.apply(id, replyTo), null).orElseThrow();
        res.status(Status.ACCEPTED_202).send();
    }

    private void manage(ServerRequest req, ServerResponse res, BiFunction<InvocationId, ReplyTo, Command> command,
            Status success) {
        InvocationId id = invocationId(req);
        Reply reply = processor.ask(replyTo -> command.apply(id, replyTo), null).orElseThrow();
        switch (reply.kind()) {
            case DONE -> res.status(success).send();
            case NOT_FOUND -> throw notFound(id);
            case REJECTED -> throw HttpError.of(reply.outcome().failure().code(), reply.outcome().failure().message());
            default -> throw new IllegalStateException("unexpected answer " + reply.kind());
        }
    }

    private void describe(ServerRequest req, ServerResponse res) {
        InvocationId id = invocationId(req);
        Reply reply = processor.describe(id, QUERY_WAIT).orElseThrow(() -> HttpError.of(503,
                "no processor answered for the partition of '" + id + "' within " + QUERY_WAIT.toSeconds()
                        + " s (is a processor running, or are its partitions moving?); try again"));
        if (reply.kind() == Reply.Kind.NOT_FOUND) {
            throw notFound(id);
        }
        HttpAnswers.json(res, 200, Json.MAPPER.valueToTree(reply.invocations().get(0)));
    }

    /**
     * {@code GET /invocations?status=&service=&handler=&key=&limit=&before=}: newest first; {@code next_before} in
     * the answer is the {@code before} of the next page. A page may hold fewer than {@code limit} invocations and
     * still have a {@code next_before}: each partition examines a bounded number of invocations per page.
     */
    private void list(ServerRequest req, ServerResponse res) {
        String status = query(req, "status").orElse(null);
        if (status != null && InvocationStatus.fromWire(status).isEmpty()) {
            throw HttpError.of(400, "unknown status '" + status + "'; use one of " + InvocationStatus.names());
        }
        int limit = query(req, "limit").map(InvocationsApi::limit).orElse(DEFAULT_LIMIT);
        InvocationCursor before = null;
        Optional<String> cursor = query(req, "before");
        if (cursor.isPresent()) {
            try {
                before = InvocationCursor.parse(cursor.get());
            } catch (IllegalArgumentException e) {
                throw HttpError.of(400, "invalid before '" + cursor.get() + "': use the next_before of a page");
            }
        }
        ProcessorClient.Filter filter = new ProcessorClient.Filter(status, query(req, "service").orElse(null),
                query(req, "handler").orElse(null), query(req, "key").orElse(null));
        ProcessorClient.Listing listing = processor.list(filter, before, limit, QUERY_WAIT);

        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode invocations = body.putArray("invocations");
        listing.invocations().forEach(view -> invocations.add(Json.MAPPER.valueToTree(view)));
        if (listing.next() != null) {
            body.put("next_before", listing.next().toString());
        }
        if (listing.partial()) {
            // Some partition did not answer in time (a processor restarting): say so rather than hide it.
            body.put("partial", true);
        }
        HttpAnswers.json(res, 200, body);
    }

    private static int limit(String text) {
        try {
            int limit = Integer.parseInt(text);
            if (limit >= 1 && limit <= ListInvocations.MAX_PAGE) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw HttpError.of(400, "limit must be a whole number from 1 to " + ListInvocations.MAX_PAGE);
    }

    private static Optional<String> query(ServerRequest req, String name) {
        return req.query().first(name).asOptional().filter(value -> !value.isEmpty());
    }

    private static InvocationId invocationId(ServerRequest req) {
        String text = req.path().pathParameters().get("id");
        try {
            return InvocationId.parse(text);
        } catch (InvocationId.InvalidIdException e) {
            throw HttpError.of(400, "The request field 'invocation_id' is invalid. Reason: " + e.getMessage());
        }
    }

    private static HttpError notFound(InvocationId id) {
        return HttpError.of(404, "The invocation '" + id + "' was not found.");
    }
}

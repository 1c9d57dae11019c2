package dev.ferry.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.client.ProcessorClient;
import dev.ferry.http.HttpAnswers;
import dev.ferry.http.HttpError;
import dev.ferry.registry.RegisteredService;
import dev.ferry.registry.RegistryView;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.Payload;
import dev.ferry.schemas.journal.StateEntry;
import dev.ferry.schemas.queries.InvocationQuery;
import dev.ferry.schemas.replies.Reply;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * {@code GET /services/{service}/state/{key}}: the state of one virtual object or workflow key (a workflow's key is
 * its id), read-only, as the processor hosting the key's partition holds it. Restate leaves this to its SQL
 * introspection (the {@code state} table, {@code restate kv get}); the field names follow that table's:
 *
 * <pre>{"service_name":"Counter","service_key":"mary","state":[{"key":"count","value":42}]}</pre>
 *
 * <p>Entries are sorted by key. A key is its UTF-8 text (the SDKs' state keys are strings); a value is the JSON value
 * it is when its bytes are one JSON value in UTF-8, else {@code {"$base64":"..."}} (a JSON value that is itself an
 * object of exactly that one field is wrapped too, so the two never mix up), as Ferry's records carry bodies. A key
 * that is not UTF-8 text is written the same way. A key without state answers an empty list, not 404: a key that
 * never had state and one whose state was cleared look the same.
 */
final class StateApi {
    private static final Duration QUERY_WAIT = InvocationQuery.ANSWER_WITHIN;
    private static final String BASE64_FIELD = "$base64";

    private final RegistryView registry;
    private final ProcessorClient processor;

    StateApi(RegistryView registry, ProcessorClient processor) {
        this.registry = registry;
        this.processor = processor;
    }

    void get(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("name");
        RegisteredService service = registry.registry().service(name).orElseThrow(() ->
                HttpError.of(404, "The requested service '" + name + "' does not exist"));
        if (!service.manifest().ty().keyed()) {
            throw HttpError.of(400, "The service '" + name + "' is a " + service.manifest().ty().adminName()
                    + ": only virtual objects and workflows have state");
        }
        String key = key(req);
        if (processor == null) {
            throw HttpError.of(503, "this process cannot ask the processor");
        }
        Reply reply = processor.describeState(service.name(), key, QUERY_WAIT).orElseThrow(() -> HttpError.of(503,
                "no processor answered for the partition of key '" + key + "' within " + QUERY_WAIT.toSeconds()
                        + " s (is a processor running, or are its partitions moving?); try again"));
        switch (reply.kind()) {
            case STATE -> HttpAnswers.json(res, 200, json(service.name(), key, reply.state()));
            case REJECTED -> throw HttpError.of(reply.outcome().failure().code(), reply.outcome().failure().message());
            default -> throw new IllegalStateException("unexpected answer " + reply.kind());
        }
    }

    /**
     * The key as written in the path, percent-decoded: everything after {@code /state/}, so a key with a slash
     * works both encoded ({@code %2F}) and not.
     */
    private static String key(ServerRequest req) {
        // "/services/{name}/state/{key...}": the fourth segment on, whatever the service is called.
        String[] segments = req.prologue().uriPath().rawPath().split("/", 5);
        String encoded = segments.length == 5 ? segments[4] : "";
        try {
            // URLDecoder decodes a form: '+' would become a space, which a path does not mean.
            return URLDecoder.decode(encoded.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw HttpError.of(400, "The key in the path is not valid percent-encoding: " + e.getMessage());
        }
    }

    /** The answer's body. */
    static ObjectNode json(String service, String key, List<StateEntry> entries) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("service_name", service);
        body.put("service_key", key);
        ArrayNode state = body.putArray("state");
        for (StateEntry entry : entries) {
            ObjectNode item = state.addObject();
            String text = Payload.utf8OrNull(entry.key().bytes());
            if (text != null) {
                item.put("key", text);
            } else {
                item.putObject("key").put(BASE64_FIELD, Base64.getEncoder().encodeToString(entry.key().bytes()));
            }
            item.set("value", value(entry.value()));
        }
        return body;
    }

    /** As Ferry's records carry a body: the JSON value it is, else {@code {"$base64":"..."}}. */
    private static JsonNode value(Payload value) {
        try {
            return Json.MAPPER.readTree(Json.write(value));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

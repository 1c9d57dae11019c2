package dev.ferry.ingress;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.ferry.http.HttpError;
import dev.ferry.registry.RegisteredService;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.RecordSchemas;
import dev.ferry.schemas.deployments.HandlerManifest;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks a request body against the JSON Schema a handler declares for its input, before anything is written to
 * Kafka, and answers 400 with every problem (its path and reason). Beyond Restate, which checks only the content
 * type; a service can switch it off ({@code validate_input: false}) to get Restate's behaviour exactly.
 */
public final class InputValidation {
    /** Schemas compiled once per deployment revision and handler. */
    private final Map<String, Schema> compiled = new ConcurrentHashMap<>();
    private final SchemaRegistry schemas = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    /**
     * @throws HttpError 400 "input validation error: …" with an {@code errors} list when the body does not satisfy
     *     the handler's input schema
     */
    public void check(RegisteredService service, HandlerManifest handler, byte[] body) {
        if (handler.input() == null || handler.input().jsonSchema() == null || body.length == 0) {
            return; // nothing declared, or an empty body (the content-type rules decide whether that is allowed)
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw invalid("the body is not UTF-8 text", List.of());
        }
        String key = service.deployment().id() + "/" + service.deployment().revision() + "/" + service.name() + "/"
                + handler.name();
        Schema schema = compiled.computeIfAbsent(key, k -> schemas.getSchema(Json.writeString(handler.input().jsonSchema()),
                InputFormat.JSON));
        List<Error> errors;
        try {
            // Read as records are read: the validator's own defaults stop at 500 levels of nesting.
            errors = schema.validate(RecordSchemas.readForValidation(text));
        } catch (RuntimeException e) {
            throw invalid("the body is not valid JSON: " + rootMessage(e), List.of());
        }
        if (!errors.isEmpty()) {
            throw invalid(String.join("; ", errors.stream().map(InputValidation::describe).toList()), errors);
        }
    }

    private static HttpError invalid(String message, List<Error> errors) {
        ArrayNode details = Json.MAPPER.createArrayNode();
        for (Error error : errors) {
            details.addObject()
                    .put("path", pointer(error))
                    .put("message", error.getMessage());
        }
        return HttpError.badRequest("input validation error: " + message).details(details);
    }

    /** "/age: must have a minimum value of 0" */
    private static String describe(Error error) {
        String pointer = pointer(error);
        return (pointer.isEmpty() ? "$" : pointer) + ": " + error.getMessage();
    }

    private static String pointer(Error error) {
        return error.getInstanceLocation() == null ? "" : error.getInstanceLocation().toString();
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}

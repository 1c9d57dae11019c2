package dev.ferry.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.registry.RegisteredService;
import dev.ferry.registry.Registry;
import dev.ferry.schemas.deployments.HandlerManifest;
import dev.ferry.schemas.deployments.HandlerType;
import dev.ferry.schemas.deployments.ServiceManifest;
import dev.ferry.schemas.deployments.ServiceType;
import io.swagger.v3.core.util.Json31;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.ExternalDocumentation;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.Paths;
import io.swagger.v3.oas.models.SpecVersion;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.JsonSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.parameters.RequestBody;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.servers.Server;
import io.swagger.v3.oas.models.tags.Tag;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * OpenAPI 3.1 documents of the ingress, shaped like Restate's ({@code GET /services/{name}/openapi}): per handler a
 * call and a send under {@code /restate/call|send}, attach and output by idempotency key (or by workflow id for a
 * workflow's run), the handler's input and output JSON Schemas, the {@code idempotency-key} header, the
 * {@code delay} parameter and Restate's error schema. Built with swagger-core's models.
 *
 * <p>The document a virtual object's or workflow's page of the admin API serves adds one path Restate's does not:
 * the read-only state of a key, {@code GET /services/{service}/state/{key}}, with the admin API as its server.
 *
 * <p>The admin API's own document ({@code GET /openapi} on the admin port, {@link #forAdmin}) describes what Ferry's
 * admin API has beyond Restate's: the dead letters.
 */
public final class OpenApiDocuments {
    private static final String DOCS = "https://docs.restate.dev/invoke/http";
    private static final String PARAMETERS = "#/components/parameters/";
    private static final String RESPONSES = "#/components/responses/";

    private OpenApiDocuments() {}

    /** The document of one service, served from {@code ingressUrl}. */
    public static OpenAPI forService(RegisteredService service, String ingressUrl) {
        return forService(service, ingressUrl, null);
    }

    /**
     * The document of one service, served from {@code ingressUrl}; for a virtual object or workflow, with the read of
     * a key's state on the admin API at {@code adminUrl} (none when null).
     */
    public static OpenAPI forService(RegisteredService service, String ingressUrl, String adminUrl) {
        ServiceManifest manifest = service.manifest();
        OpenAPI document = skeleton(ingressUrl)
                .info(new Info().title(manifest.name()).version(Integer.toString(service.deployment().revision()))
                        .description(manifest.documentation()));
        addPaths(document, manifest, false);
        if (adminUrl != null && manifest.ty().keyed()) {
            addStatePath(document, manifest, adminUrl);
        }
        return document;
    }

    /** {@code GET /services/{service}/state/{key}} on the admin API ({@link StateApi}): read-only. */
    private static void addStatePath(OpenAPI document, ServiceManifest service, String adminUrl) {
        JsonSchema bytes = new JsonSchema();
        bytes.types(Set.of("object"))
                .description("Bytes that are not what the field otherwise holds (UTF-8 text for a key, one JSON value "
                        + "for a value), base64-encoded")
                .additionalProperties(false)
                .required(List.of("$base64"))
                .properties(Map.of("$base64", new JsonSchema().types(Set.of("string")).contentEncoding("base64")));
        JsonSchema entry = new JsonSchema();
        entry.types(Set.of("object"))
                .additionalProperties(false)
                .required(List.of("key", "value"))
                .properties(Map.of(
                        "key", new JsonSchema().oneOf(List.of(new JsonSchema().types(Set.of("string")),
                                new JsonSchema().$ref("#/components/schemas/StateBytes")))
                                .description("The state key as UTF-8 text (Restate's SDKs name state with strings)"),
                        "value", new JsonSchema()
                                .description("The value: the JSON value it is when its bytes are one JSON value in "
                                        + "UTF-8, else {\"$base64\": \"...\"} (a JSON value that is itself an object "
                                        + "of exactly that one field is written that way too, so the two never mix "
                                        + "up)")));
        JsonSchema state = new JsonSchema();
        state.types(Set.of("object"))
                .title("ServiceState")
                .additionalProperties(false)
                .required(List.of("service_name", "service_key", "state"))
                .properties(Map.of(
                        "service_name", new JsonSchema().types(Set.of("string")),
                        "service_key", new JsonSchema().types(Set.of("string"))
                                .description("The object key, or the workflow id"),
                        "state", new JsonSchema().types(Set.of("array")).items(
                                new JsonSchema().$ref("#/components/schemas/StateEntry"))
                                .description("Every entry, sorted by key; empty when the key has no state (a key "
                                        + "that never had state and one whose state was cleared look the same)")));
        JsonSchema adminError = new JsonSchema();
        adminError.types(Set.of("object"))
                .properties(Map.of(
                        "message", new JsonSchema().types(Set.of("string")),
                        "restate_code", new JsonSchema().types(Set.of("string", "null"))));
        document.getComponents()
                .addSchemas("StateBytes", bytes)
                .addSchemas("StateEntry", entry)
                .addSchemas("ServiceState", state)
                .addSchemas("AdminError", adminError);
        ApiResponse error = new ApiResponse().description("")
                .content(jsonContent(new JsonSchema().$ref("#/components/schemas/AdminError")));
        Operation get = new Operation()
                .operationId("getState")
                .summary("Get state")
                .description("The state of one " + (service.ty() == ServiceType.WORKFLOW
                        ? "workflow run, by its workflow id" : "object key") + ", read-only, as Ferry holds it for "
                        + "services written with a Restate SDK (Restate shows it in the `state` table of its SQL "
                        + "introspection).")
                .tags(List.of("State"))
                .addParametersItem(new Parameter().in("path").name("key").required(true)
                        .schema(new JsonSchema().types(Set.of("string")))
                        .description("The object key or workflow id, percent-encoded"))
                .responses(new ApiResponses()
                        .addApiResponse("200", new ApiResponse().description("The key's state")
                                .content(jsonContent(new JsonSchema().$ref("#/components/schemas/ServiceState"))))
                        .addApiResponse("404", error.description("No such service"))
                        .addApiResponse("503", new ApiResponse().description("No processor answered in time")
                                .content(jsonContent(new JsonSchema().$ref("#/components/schemas/AdminError")))));
        document.tags(new ArrayList<>(document.getTags())); // the skeleton's list is immutable
        document.addTagsItem(new Tag().name("State").description("Virtual object and workflow state, read-only, on "
                + "Ferry's admin API"));
        document.getPaths().addPathItem("/services/" + service.name() + "/state/{key}", new PathItem()
                .servers(List.of(new Server().url(adminUrl).description("Ferry admin API URL")))
                .get(get));
    }

    /** One document with every registered service (operation ids prefixed with their service). */
    public static OpenAPI forAll(Registry registry, String ingressUrl) {
        OpenAPI document = skeleton(ingressUrl)
                .info(new Info().title("Ferry ingress").version("1")
                        .description("Every service registered with Ferry, callable as with Restate."));
        for (RegisteredService service : registry.services()) {
            addPaths(document, service.manifest(), true);
        }
        return document;
    }

    /** The admin API's paths that Restate's admin API does not have: {@code GET /dead-letters}. */
    public static OpenAPI forAdmin(String adminUrl) {
        Schema<?> text = new JsonSchema().types(Set.of("string"));
        JsonSchema bytes = new JsonSchema();
        bytes.types(Set.of("object")).additionalProperties(false).required(List.of("$base64"))
                .description("Bytes that are not UTF-8 text, base64-encoded")
                .properties(Map.of("$base64", new JsonSchema().types(Set.of("string")).contentEncoding("base64")));
        Schema<?> textOrBytes = new JsonSchema()
                .oneOf(List.of(text, new JsonSchema().$ref("#/components/schemas/Bytes")));
        JsonSchema source = new JsonSchema();
        source.types(Set.of("object")).additionalProperties(false)
                .description("Where the record was read from when it was dead-lettered")
                .properties(Map.of(
                        "topic", new JsonSchema().types(Set.of("string")),
                        "partition", new JsonSchema().types(Set.of("integer")),
                        "offset", new JsonSchema().types(Set.of("integer"))));
        JsonSchema letter = new JsonSchema();
        letter.types(Set.of("object")).additionalProperties(false)
                .required(List.of("timestamp", "topic", "partition", "offset"))
                .properties(Map.ofEntries(
                        Map.entry("timestamp", new JsonSchema().types(Set.of("string")).format("date-time")),
                        Map.entry("topic", new JsonSchema().types(Set.of("string"))
                                .description("The dead-letter topic")),
                        Map.entry("partition", new JsonSchema().types(Set.of("integer"))),
                        Map.entry("offset", new JsonSchema().types(Set.of("integer"))),
                        Map.entry("kind", new JsonSchema().types(Set.of("string")).description(
                                "rejected-record, failed-invocation, failed-timer, unpublishable-result or "
                                        + "unprocessable (header ferry.dead-letter.kind)")),
                        Map.entry("reason", new JsonSchema().types(Set.of("string"))
                                .description("Why (header ferry.dead-letter.reason)")),
                        Map.entry("source", source),
                        Map.entry("key", textOrBytes),
                        Map.entry("value", new JsonSchema().oneOf(List.of(text,
                                        new JsonSchema().$ref("#/components/schemas/Bytes")))
                                .description("The record's value, its first " + DeadLettersApi.SHOWN_VALUE_BYTES
                                        + " bytes at most")),
                        Map.entry("value_bytes", new JsonSchema().types(Set.of("integer"))
                                .description("The size of the value the record was made from")),
                        Map.entry("value_truncated", new JsonSchema().types(Set.of("boolean"))
                                .description("Whether value is only the start of it"))));
        JsonSchema list = new JsonSchema();
        list.types(Set.of("object")).additionalProperties(false).required(List.of("topic", "dead_letters"))
                .properties(Map.of(
                        "topic", new JsonSchema().types(Set.of("string")),
                        "dead_letters", new JsonSchema().types(Set.of("array"))
                                .items(new JsonSchema().$ref("#/components/schemas/DeadLetter"))
                                .description("Newest first"),
                        "partial", new JsonSchema().types(Set.of("boolean")).description(
                                "Present and true when a partition could not be read to its end in time: ask again")));
        JsonSchema adminError = new JsonSchema();
        adminError.types(Set.of("object")).properties(Map.of(
                "message", new JsonSchema().types(Set.of("string")),
                "restate_code", new JsonSchema().types(Set.of("string", "null"))));
        ApiResponse error = new ApiResponse()
                .content(jsonContent(new JsonSchema().$ref("#/components/schemas/AdminError")));
        Operation get = new Operation()
                .operationId("listDeadLetters")
                .summary("List dead letters")
                .description("The newest records of the dead-letter topic, read-only: the admin API reads them with a "
                        + "consumer of its own (no consumer group, nothing committed, read_committed), bounded in "
                        + "records, bytes and time.")
                .tags(List.of("Dead letters"))
                .addParametersItem(new Parameter().in("query").name("limit").required(false)
                        .schema(new JsonSchema().types(Set.of("integer")).minimum(java.math.BigDecimal.ONE)
                                .maximum(java.math.BigDecimal.valueOf(DeadLettersApi.MAX_LIMIT))
                                ._default(DeadLettersApi.DEFAULT_LIMIT))
                        .description("How many records at most"))
                .responses(new ApiResponses()
                        .addApiResponse("200", new ApiResponse().description("The newest dead letters")
                                .content(jsonContent(new JsonSchema().$ref("#/components/schemas/DeadLetters"))))
                        .addApiResponse("400", new ApiResponse().description("A limit out of range")
                                .content(error.getContent()))
                        .addApiResponse("503", new ApiResponse()
                                .description("Kafka could not be read, or two reads are under way")
                                .content(error.getContent())));
        return new OpenAPI(SpecVersion.V31)
                .openapi("3.1.0")
                .info(new Info().title("Ferry admin API").version("1").description("What Ferry's admin API has beyond "
                        + "Restate's admin API (https://docs.restate.dev/admin-api/openapi/openapi-specification), "
                        + "whose paths it serves as well."))
                .servers(List.of(new Server().url(adminUrl).description("Ferry admin API URL")))
                .tags(List.of(new Tag().name("Dead letters").description("Records Ferry could not process, and "
                        + "invocations whose service asks for failures there")))
                .paths(new Paths().addPathItem("/dead-letters", new PathItem().get(get)))
                .components(new Components()
                        .addSchemas("Bytes", bytes)
                        .addSchemas("DeadLetter", letter)
                        .addSchemas("DeadLetters", list)
                        .addSchemas("AdminError", adminError));
    }

    public static String toJson(OpenAPI document) {
        try {
            return Json31.mapper().writeValueAsString(document);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the OpenAPI document", e);
        }
    }

    private static OpenAPI skeleton(String ingressUrl) {
        return new OpenAPI(SpecVersion.V31)
                .openapi("3.1.0")
                .servers(List.of(new Server().url(ingressUrl).description("Ferry ingress URL")))
                .tags(List.of(
                        tag("Request Response", "Request response to handler"),
                        tag("Send", "Send to handler"),
                        tag("Attach", "Attach to invocation"),
                        tag("Get Output", "Get invocation output")))
                .paths(new Paths())
                .components(components());
    }

    private static void addPaths(OpenAPI document, ServiceManifest service, boolean prefixIds) {
        boolean keyed = service.ty().keyed();
        String base = service.name() + (keyed ? "/{key}" : "");
        for (HandlerManifest handler : service.handlers()) {
            HandlerType type = handler.effectiveType(service.ty());
            boolean workflowRun = type == HandlerType.WORKFLOW;
            String id = (prefixIds ? service.name() + "_" : "") + handler.name();
            String what = service.name() + " handler " + handler.name();

            Operation call = operation(id, handler, "Call " + what + " and wait for response", "Request Response")
                    .requestBody(requestBody(handler))
                    .responses(new ApiResponses()
                            .addApiResponse("200", output(handler))
                            .addApiResponse("default", ref("GenericError")));
            Operation send = operation(id + "Send", handler, "Send request to " + what, "Send")
                    .requestBody(requestBody(handler))
                    .responses(new ApiResponses()
                            .addApiResponse("202", ref("Send"))
                            .addApiResponse("200", ref("Send"))
                            .addApiResponse("default", ref("GenericError")));
            if (keyed) {
                call.addParametersItem(param("key"));
                send.addParametersItem(param("key"));
            }
            if (!workflowRun) { // a workflow run is idempotent by its id: a key there is a 400
                call.addParametersItem(param("idempotencyKeyHeader"));
                send.addParametersItem(param("idempotencyKeyHeader"));
            }
            send.addParametersItem(param("delay"));
            document.getPaths().addPathItem("/restate/call/" + base + "/" + handler.name(), new PathItem().post(call));
            document.getPaths().addPathItem("/restate/send/" + base + "/" + handler.name(), new PathItem().post(send));

            if (workflowRun) {
                String path = "/restate/workflow/" + service.name() + "/{key}/";
                document.getPaths().addPathItem(path + "attach", new PathItem().get(attach(id, handler,
                        "Attach to the running instance of " + service.name() + "/" + handler.name()
                                + " workflow and wait to finish", List.of(param("key")))));
                document.getPaths().addPathItem(path + "output", new PathItem().get(output(id, handler,
                        "Get output of the " + service.name() + "/" + handler.name() + " workflow",
                        List.of(param("key")))));
            } else {
                String path = "/restate/invocation/" + base + "/" + handler.name() + "/{idempotencyKey}/";
                List<Parameter> params = keyed
                        ? List.of(param("key"), param("idempotencyKeyPath"))
                        : List.of(param("idempotencyKeyPath"));
                document.getPaths().addPathItem(path + "attach", new PathItem().get(attach(id, handler,
                        "Attach to a running instance of " + service.name() + "/" + handler.name()
                                + " using the idempotency key and wait to finish", params)));
                document.getPaths().addPathItem(path + "output", new PathItem().get(output(id, handler,
                        "Get output of an instance of " + service.name() + "/" + handler.name()
                                + " using the idempotency key", params)));
            }
        }
    }

    private static Operation operation(String id, HandlerManifest handler, String description, String tag) {
        Operation operation = new Operation()
                .operationId(id)
                .summary(handler.name())
                .description(handler.documentation() != null ? handler.documentation() : description);
        return tag.equals("Request Response") ? operation : operation.tags(List.of(tag));
    }

    private static Operation attach(String id, HandlerManifest handler, String description, List<Parameter> params) {
        return operation(id + "Attach", handler, description, "Attach")
                .description(description)
                .parameters(params)
                .responses(new ApiResponses()
                        .addApiResponse("200", output(handler))
                        .addApiResponse("404", ref("InvocationNotFoundError"))
                        .addApiResponse("default", ref("GenericError")));
    }

    private static Operation output(String id, HandlerManifest handler, String description, List<Parameter> params) {
        return operation(id + "Output", handler, description, "Get Output")
                .description(description)
                .parameters(params)
                .responses(new ApiResponses()
                        .addApiResponse("200", output(handler))
                        .addApiResponse("404", ref("InvocationNotFoundError"))
                        .addApiResponse("470", ref("InvocationNotReadyError"))
                        .addApiResponse("default", ref("GenericError")));
    }

    /** The request body the handler declares: its content type and, when it has one, its JSON Schema. */
    private static RequestBody requestBody(HandlerManifest handler) {
        HandlerManifest.Input input = handler.input();
        String contentType = input == null || input.contentType() == null ? "application/json" : input.contentType();
        MediaType media = new MediaType();
        if (input != null && input.jsonSchema() != null) {
            media.schema(schema(input.jsonSchema()));
        }
        return new RequestBody()
                .required(input != null && Boolean.TRUE.equals(input.required()))
                .content(new Content().addMediaType(contentType, media));
    }

    private static ApiResponse output(HandlerManifest handler) {
        HandlerManifest.Output output = handler.output();
        String contentType = output == null || output.contentType() == null ? "application/json" : output.contentType();
        MediaType media = new MediaType();
        if (output != null && output.jsonSchema() != null) {
            media.schema(schema(output.jsonSchema()));
        }
        return new ApiResponse().description("").content(new Content().addMediaType(contentType, media));
    }

    /** A JSON Schema from a manifest, as an OpenAPI 3.1 schema (which is JSON Schema 2020-12). */
    private static Schema<?> schema(JsonNode jsonSchema) {
        return Json31.mapper().convertValue(jsonSchema, Schema.class);
    }

    private static Components components() {
        JsonSchema error = new JsonSchema();
        error.types(Set.of("object"))
                .description("Generic error used by Restate to propagate Terminal errors/exceptions back to callers")
                .additionalProperties(false)
                .properties(Map.of(
                        "code", new JsonSchema().types(Set.of("number")).title("error code"),
                        "message", new JsonSchema().types(Set.of("string")).title("Error message"),
                        "source", new JsonSchema().types(Set.of("string")).title("Error source")
                                ._enum(List.of("ingress", "invocation"))
                                .description("Discriminates errors generated by the ingress from the terminal outcome "
                                        + "of the invocation. Also available in the 'x-restate-error-source' "
                                        + "response header.")));
        JsonSchema sendResponse = new JsonSchema();
        sendResponse.types(Set.of("object"))
                .title("RestateSendResponse")
                .additionalProperties(false)
                .required(List.of("invocationId", "status"))
                .properties(Map.of(
                        "invocationId", new JsonSchema().types(Set.of("string")),
                        "executionTime", new JsonSchema().types(Set.of("string")).format("date-time")
                                .description("Time when the invocation will be executed, in case 'delay' is used"),
                        "status", new JsonSchema().types(Set.of("string"))._enum(List.of("Accepted", "PreviouslyAccepted"))));
        return new Components()
                .addSchemas("RestateError", error)
                .addParameters("idempotencyKeyHeader", new Parameter().in("header").name("idempotency-key")
                        .required(false).schema(new JsonSchema().types(Set.of("string")))
                        .description("Idempotency key to execute the request, for more details checkout the "
                                + "[idempotency key documentation](" + DOCS + "#invoke-a-handler-idempotently)."))
                .addParameters("idempotencyKeyPath", new Parameter().in("path").name("idempotencyKey")
                        .required(true).schema(new JsonSchema().types(Set.of("string")))
                        .description("Idempotency key used to execute the original request."))
                .addParameters("key", new Parameter().in("path").name("key").required(true)
                        .schema(new JsonSchema().types(Set.of("string"))))
                .addParameters("delay", new Parameter().in("query").name("delay").required(false).example("10s")
                        .schema(new JsonSchema().types(Set.of("string")))
                        .description("Specify the delay to execute the operation: humantime (10s, 500ms, 1m) or "
                                + "ISO 8601 (PT10S)."))
                .addResponses("GenericError", new ApiResponse().description("Error response")
                        .content(jsonContent(new JsonSchema().$ref("#/components/schemas/RestateError"))))
                .addResponses("InvocationNotFoundError", new ApiResponse().description("Invocation not found")
                        .content(jsonContent(new JsonSchema().$ref("#/components/schemas/RestateError"))))
                .addResponses("InvocationNotReadyError", new ApiResponse()
                        .description("Invocation still running, output is not ready yet")
                        .content(jsonContent(new JsonSchema().$ref("#/components/schemas/RestateError"))))
                .addResponses("Send", new ApiResponse().description("Send response").content(jsonContent(sendResponse)));
    }

    private static Content jsonContent(Schema<?> schema) {
        return new Content().addMediaType("application/json", new MediaType().schema(schema));
    }

    private static Parameter param(String name) {
        return new Parameter().$ref(PARAMETERS + name);
    }

    private static ApiResponse ref(String name) {
        return new ApiResponse().$ref(RESPONSES + name);
    }

    private static Tag tag(String name, String description) {
        return new Tag().name(name).description(description)
                .externalDocs(new ExternalDocumentation().url(DOCS));
    }
}

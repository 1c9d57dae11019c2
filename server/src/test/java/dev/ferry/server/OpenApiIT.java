package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.ferry.example.ExampleService;
import dev.ferry.schemas.Json;
import io.swagger.v3.core.util.Json31;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The OpenAPI documents, checked with a parser that did not write them (swagger-parser), and used the way a client
 * generated from them would: find the operation, build the request from its schema, call it, check the answer
 * against the response schema. And input validation against a handler's JSON Schema.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenApiIT {
    private FerryHarness ferry;
    private ExampleService example;

    @BeforeAll
    void start() throws Exception {
        ferry = FerryHarness.onSharedKafka().start();
        example = ferry.registerExample();
    }

    @AfterAll
    void stop() {
        ferry.close();
    }

    @Test
    void everyServicesDocumentIsValidOpenApi31WithRestatesPaths() {
        for (String service : new String[] {"Greeter", "Counter", "Ledger", "Signup"}) {
            Http.Response response = ferry.admin().get("/services/" + service + "/openapi");
            assertThat(response.status()).isEqualTo(200);
            OpenAPI document = parse(response.body());
            assertThat(document.getOpenapi()).isEqualTo("3.1.0");
            assertThat(document.getInfo().getTitle()).isEqualTo(service);
        }
        OpenAPI greeter = parse(ferry.admin().get("/services/Greeter/openapi").body());
        // The same paths Restate 1.7.12 documents for a service's handler (its reference document).
        assertThat(greeter.getPaths().keySet()).contains(
                "/restate/call/Greeter/greet", "/restate/send/Greeter/greet",
                "/restate/invocation/Greeter/greet/{idempotencyKey}/attach",
                "/restate/invocation/Greeter/greet/{idempotencyKey}/output");
        OpenAPI counter = parse(ferry.admin().get("/services/Counter/openapi").body());
        assertThat(counter.getPaths().keySet()).contains("/restate/call/Counter/{key}/add",
                "/restate/invocation/Counter/{key}/add/{idempotencyKey}/attach");
        OpenAPI signup = parse(ferry.admin().get("/services/Signup/openapi").body());
        assertThat(signup.getPaths().keySet()).contains("/restate/call/Signup/{key}/run",
                "/restate/workflow/Signup/{key}/attach", "/restate/workflow/Signup/{key}/output");
        Operation send = greeter.getPaths().get("/restate/send/Greeter/greet").getPost();
        assertThat(send.getParameters()).extracting(p -> p.get$ref()).contains(
                "#/components/parameters/idempotencyKeyHeader", "#/components/parameters/delay");
        assertThat(ferry.admin().get("/services/NoSuchService/openapi").status()).isEqualTo(404);
    }

    @Test
    void theMergedDocumentOnTheIngressHoldsEveryService() {
        Http.Response response = ferry.ingress().get("/openapi");
        assertThat(response.status()).isEqualTo(200);
        OpenAPI document = parse(response.body());
        assertThat(document.getPaths().keySet()).contains("/restate/call/Greeter/welcome",
                "/restate/call/Counter/{key}/add", "/restate/call/Signup/{key}/run");
        assertThat(document.getPaths().get("/restate/call/Counter/{key}/add").getPost().getOperationId())
                .isEqualTo("Counter_add");
    }

    @Test
    void aClientDrivenByTheDocumentCallsTheHandlerAndGetsWhatItPromises() throws Exception {
        OpenAPI document = parse(ferry.admin().get("/services/Greeter/openapi").body());
        Map.Entry<String, PathItem> entry = document.getPaths().entrySet().stream()
                .filter(e -> e.getValue().getPost() != null && "welcome".equals(e.getValue().getPost().getOperationId()))
                .findFirst().orElseThrow();
        Operation welcome = entry.getValue().getPost();
        Map.Entry<String, MediaType> request = welcome.getRequestBody().getContent().entrySet().iterator().next();
        assertThat(welcome.getRequestBody().getRequired()).isTrue();
        JsonNode requestSchema = Json.MAPPER.readTree(Json31.mapper().writeValueAsString(request.getValue().getSchema()));
        assertThat(requestSchema.get("required").get(0).asText()).isEqualTo("name");

        String body = "{\"name\":\"Ada\",\"age\":36}";
        assertThat(validator(requestSchema).validate(body, InputFormat.JSON)).as("the request fits its schema").isEmpty();
        String server = document.getServers().get(0).getUrl();
        Http.Response response = new Http(server.replaceAll("/$", "")).post(entry.getKey(),
                body.getBytes(), "content-type", request.getKey());

        assertThat(response.status()).isEqualTo(200);
        MediaType promised = welcome.getResponses().get("200").getContent().get("application/json");
        JsonNode responseSchema = Json.MAPPER.readTree(Json31.mapper().writeValueAsString(promised.getSchema()));
        assertThat(validator(responseSchema).validate(response.body(), InputFormat.JSON))
                .as("the answer fits the response schema: %s", response.body()).isEmpty();
        assertThat(response.body()).contains("Welcome, Ada!");
    }

    @Test
    void aBodyThatBreaksTheInputSchemaIs400WithEveryProblemAndNothingRuns() throws Exception {
        Http.Response response = ferry.ingress().postJson("/Greeter/welcome", "{\"name\":\"\",\"age\":-1,\"x\":true}");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.header("x-restate-error-source")).isEqualTo("ingress");
        assertThat(response.header("x-restate-id")).as("no invocation was created").isNull();
        JsonNode error = Json.MAPPER.readTree(response.body());
        assertThat(error.get("message").asText()).startsWith("input validation error: ");
        assertThat(error.get("errors")).extracting(e -> e.get("path").asText()).contains("/name", "/age");
        assertThat(example.executions("welcome:")).isZero();
        JsonNode listed = Json.MAPPER.readTree(ferry.admin().get("/invocations?service=Greeter&handler=welcome").body());
        assertThat(listed.get("invocations")).as("nothing was written to Kafka").isEmpty();
    }

    @Test
    void aServiceCanSwitchValidationOffForRestatesBehaviour() {
        Http.Response patched = ferry.admin().method("PATCH", "/services/Greeter", "{\"validate_input\":false}",
                "content-type", "application/json");
        assertThat(patched.body()).contains("\"validate_input\":false");
        try {
            Http.Response response = ferry.ingress().postJson("/Greeter/welcome", "{\"name\":\"Bo\",\"age\":-1}");
            assertThat(response.status()).as("the service gets it as Restate would pass it").isEqualTo(200);
        } finally {
            ferry.admin().method("PATCH", "/services/Greeter", "{\"validate_input\":null}",
                    "content-type", "application/json");
        }
    }

    private static OpenAPI parse(String json) {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(json, null, options);
        assertThat(result.getMessages()).as("parser messages").isEmpty();
        assertThat(result.getOpenAPI()).isNotNull();
        assertThat(result.getOpenAPI().getSpecVersion().name()).isEqualTo("V31");
        return result.getOpenAPI();
    }

    private static Schema validator(JsonNode schema) {
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(schema.toString(), InputFormat.JSON);
    }
}

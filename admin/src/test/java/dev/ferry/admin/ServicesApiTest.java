package dev.ferry.admin;

import static dev.ferry.admin.AdminUnderTest.json;
import static dev.ferry.admin.InvocationsApiTest.assertAdminError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code /services} over HTTP against the admin API with a registry built in memory: the services, their handlers,
 * settings and OpenAPI documents, as {@code InvocationPathIT}, {@code RetentionIT} and {@code OpenApiIT} expect of
 * a whole Ferry. Changing a service's settings writes to Kafka; only the refusals that come before any write are
 * tested here.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServicesApiTest {
    private final AdminUnderTest admin = new AdminUnderTest();

    @AfterAll
    void stop() {
        admin.close();
    }

    @Test
    void theServicesAreListedByName() {
        HttpResponse<String> response = admin.get("/services");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(names(json(response).get("services"))).containsExactly("Counter", "Greeter", "Signup");
    }

    @Test
    void aServiceShowsItsTypeDeploymentAndTheSettingsInForce() {
        JsonNode counter = json(admin.get("/services/Counter"));

        assertThat(counter.get("name").asText()).isEqualTo("Counter");
        assertThat(counter.get("ty").asText()).isEqualTo("VirtualObject");
        assertThat(counter.get("deployment_id").asText()).isEqualTo(AdminUnderTest.DEPLOYMENT_ID);
        assertThat(counter.get("revision").asInt()).isEqualTo(1);
        assertThat(counter.get("public").asBoolean()).isTrue();
        assertThat(counter.get("idempotency_retention").asText()).isEqualTo("1d");
        assertThat(counter.get("journal_retention").asText()).isEqualTo("1d");
        assertThat(counter.has("workflow_completion_retention")).as("for workflows only").isFalse();
        assertThat(counter.has("max_wait")).as("no operator's max_wait").isFalse();
        assertThat(names(counter.get("handlers"))).containsExactly("add", "get");
    }

    @Test
    void aWorkflowShowsItsCompletionRetention() {
        JsonNode signup = json(admin.get("/services/Signup"));

        assertThat(signup.get("ty").asText()).isEqualTo("Workflow");
        assertThat(signup.get("workflow_completion_retention").asText()).isEqualTo("1d");
    }

    @Test
    void anOperatorsSettingIsShownWithTheService() {
        JsonNode greeter = json(admin.get("/services/Greeter"));

        assertThat(greeter.get("ty").asText()).isEqualTo("Service");
        assertThat(greeter.get("max_wait").asText()).isEqualTo("1s");
    }

    @Test
    void theListShowsEachServiceAsItsOwnPageDoes() {
        JsonNode listed = json(admin.get("/services")).get("services").get(1);

        assertThat(listed).isEqualTo(json(admin.get("/services/Greeter")));
    }

    @Test
    void aServicesHandlersAreListedWithTheirTypes() {
        HttpResponse<String> response = admin.get("/services/Counter/handlers");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"name\":\"add\",\"ty\":\"Exclusive\"",
                "\"name\":\"get\",\"ty\":\"Shared\"");
        assertThat(names(json(response).get("handlers"))).containsExactly("add", "get");
    }

    @Test
    void aHandlerOfAPlainServiceHasNoType() {
        JsonNode greet = json(admin.get("/services/Greeter/handlers/greet"));

        assertThat(greet.get("name").asText()).isEqualTo("greet");
        assertThat(greet.has("ty")).isFalse();
        assertThat(greet.get("input_description").asText()).isEqualTo("*/*");
    }

    @Test
    void oneHandlerIsShownAsInTheList() {
        JsonNode listed = json(admin.get("/services/Counter/handlers")).get("handlers").get(1);

        assertThat(json(admin.get("/services/Counter/handlers/get"))).isEqualTo(listed);
    }

    @Test
    void anUnknownServiceIs404InTheAdminShape() {
        String message = "The requested service 'NoSuchService' does not exist";

        assertAdminError(admin.get("/services/NoSuchService"), 404, message);
        assertAdminError(admin.get("/services/NoSuchService/handlers"), 404, message);
        assertAdminError(admin.get("/services/NoSuchService/openapi"), 404, message);
        assertAdminError(admin.get("/services/greeter"), 404, "The requested service 'greeter' does not exist");
    }

    @Test
    void anUnknownHandlerIs404() {
        assertAdminError(admin.get("/services/Counter/handlers/nosuch"), 404,
                "The requested handler 'nosuch' on service 'Counter' does not exist");
    }

    @Test
    void aServicesOpenApiDocumentHasRestatesPathsAndTheIngressAsServer() {
        HttpResponse<String> response = admin.get("/services/Counter/openapi");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode document = json(response);
        assertThat(document.get("openapi").asText()).isEqualTo("3.1.0");
        assertThat(document.get("info").get("title").asText()).isEqualTo("Counter");
        assertThat(document.get("servers").get(0).get("url").asText())
                .isEqualTo("http://127.0.0.1:" + AdminUnderTest.INGRESS_PORT + "/");
        for (String path : List.of("/restate/call/Counter/{key}/add", "/restate/send/Counter/{key}/add",
                "/restate/invocation/Counter/{key}/add/{idempotencyKey}/attach")) {
            assertThat(document.get("paths").has(path)).as(path).isTrue();
        }
    }

    @Test
    void aKeyedServicesDocumentHasTheReadOfAKeysStateOnTheAdminApiAndAStatelessOneDoesNot() {
        JsonNode counter = json(admin.get("/services/Counter/openapi"));
        JsonNode state = counter.get("paths").get("/services/Counter/state/{key}");
        assertThat(state).isNotNull();
        assertThat(state.get("servers").get(0).get("url").asText()).matches("http://127\\.0\\.0\\.1:\\d+/")
                .isNotEqualTo("http://127.0.0.1:" + AdminUnderTest.INGRESS_PORT + "/");
        assertThat(state.has("post")).as("read-only").isFalse();
        assertThat(state.get("get").get("responses").get("200").get("content").get("application/json").get("schema")
                .get("$ref").asText()).isEqualTo("#/components/schemas/ServiceState");
        assertThat(counter.get("components").get("schemas").get("ServiceState").get("required"))
                .extracting(JsonNode::asText).containsExactlyInAnyOrder("service_name", "service_key", "state");

        JsonNode greeter = json(admin.get("/services/Greeter/openapi"));
        assertThat(greeter.get("paths").fieldNames()).toIterable().noneMatch(path -> path.contains("/state/"));
    }

    @Test
    void settingsAreCheckedBeforeAnythingIsStored() {
        HttpResponse<String> badDuration = admin.method("PATCH", "/services/Greeter",
                "{\"idempotency_retention\":\"soon\"}");
        HttpResponse<String> unknown = admin.method("PATCH", "/services/Greeter", "{\"retention\":\"1h\"}");
        HttpResponse<String> workflowOnly = admin.method("PATCH", "/services/Greeter",
                "{\"workflow_completion_retention\":\"1h\"}");
        HttpResponse<String> notAnObject = admin.method("PATCH", "/services/Greeter", "[]");

        assertThat(badDuration.statusCode()).isEqualTo(400);
        assertThat(json(badDuration).get("message").asText()).startsWith("invalid idempotency_retention");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(json(unknown).get("message").asText()).startsWith("unknown setting 'retention'");
        assertAdminError(workflowOnly, 400,
                "workflow_completion_retention applies to workflows only, and Greeter is a Service");
        assertAdminError(notAnObject, 400, "expected a JSON object of settings");
    }

    @Test
    void settingsOfAnUnknownServiceAre404() {
        assertAdminError(admin.method("PATCH", "/services/Nope", "{}"), 404,
                "The requested service 'Nope' does not exist");
    }

    @Test
    void settingsThatAreNotJsonAre400InPlainText() {
        HttpResponse<String> response = admin.method("PATCH", "/services/Greeter", "{");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("content-type")).hasValue("text/plain; charset=utf-8");
        assertThat(response.body()).startsWith("Failed to parse the request body as JSON: ");
    }

    private static List<String> names(JsonNode array) {
        List<String> names = new ArrayList<>();
        array.forEach(node -> names.add(node.get("name").asText()));
        return names;
    }
}

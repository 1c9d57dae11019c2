package dev.ferry.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.http.HttpAnswers;
import dev.ferry.http.HttpError;
import dev.ferry.registry.RegisteredService;
import dev.ferry.registry.Registry;
import dev.ferry.registry.RegistryView;
import dev.ferry.registry.RegistryWriter;
import dev.ferry.registry.ServiceSettings;
import dev.ferry.schemas.Durations;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.deployments.HandlerManifest;
import dev.ferry.schemas.deployments.ServiceOverrides;
import dev.ferry.schemas.deployments.ServiceType;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * {@code /services}: the registered services and their handlers, each service's settings ({@code PATCH}) and its
 * OpenAPI document.
 */
public final class ServicesApi implements HttpService {
    private static final Duration REGISTRY_WAIT = Duration.ofSeconds(10);

    private final RegistryView registryView;
    private final RegistryWriter registryWriter;
    private final ServiceSettings defaults;
    private final OpenApiRoutes openApi;

    public ServicesApi(RegistryView registryView, RegistryWriter registryWriter, ServiceSettings defaults,
            OpenApiRoutes openApi) {
        this.registryView = registryView;
        this.registryWriter = registryWriter;
        this.defaults = defaults;
        this.openApi = openApi;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::listServices)
                .get("/{name}", this::getService)
                .patch("/{name}", this::modifyService)
                .get("/{name}/handlers", this::listHandlers)
                .get("/{name}/handlers/{handler}", this::getHandler)
                .get("/{name}/openapi", openApi::service);
    }

    private Registry registry() {
        return registryView.registry();
    }

    private void listServices(ServerRequest req, ServerResponse res) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode list = body.putArray("services");
        registry().services().forEach(s -> list.add(serviceJson(s)));
        HttpAnswers.json(res, 200, body);
    }

    private void getService(ServerRequest req, ServerResponse res) {
        HttpAnswers.json(res, 200, serviceJson(service(req)));
    }

    private ObjectNode serviceJson(RegisteredService service) {
        Registry registry = registry();
        return AdminJson.service(service, registry.settings(service.name(), defaults),
                registry.overrides(service.name()));
    }

    /**
     * Changes a service's settings: Restate's {@code idempotency_retention}, {@code journal_retention},
     * {@code workflow_completion_retention}, {@code inactivity_timeout} and {@code retry_policy}, and Ferry's
     * {@code reject_changed_requests} and {@code max_wait}. A field set to null returns to the manifest's value or
     * Ferry's default.
     */
    private void modifyService(ServerRequest req, ServerResponse res) {
        RegisteredService service = service(req);
        JsonNode body = AdminRequests.readJson(req);
        if (!body.isObject()) {
            throw HttpError.of(400, "expected a JSON object of settings");
        }
        ServiceOverrides current = registry().overrides(service.name());
        Long idempotency = current.idempotencyRetentionMillis();
        Long journal = current.journalRetentionMillis();
        Long workflow = current.workflowCompletionRetentionMillis();
        Boolean reject = current.rejectChangedRequests();
        Long maxWait = current.maxWaitMillis();
        Long inactivity = current.inactivityTimeoutMillis();
        ServiceOverrides.RetryOverrides retry = current.retryPolicy();
        Boolean publishResults = current.publishResults();
        Boolean deadLetterFailures = current.deadLetterFailures();
        Boolean validateInput = current.validateInput();
        for (Map.Entry<String, JsonNode> field : body.properties()) {
            JsonNode value = field.getValue();
            switch (field.getKey()) {
                case "idempotency_retention" -> idempotency = durationMillis(field.getKey(), value);
                case "journal_retention" -> journal = durationMillis(field.getKey(), value);
                case "workflow_completion_retention" -> {
                    if (service.manifest().ty() != ServiceType.WORKFLOW) {
                        throw HttpError.of(400, "workflow_completion_retention applies to workflows only, and "
                                + service.name() + " is a " + service.manifest().ty().adminName());
                    }
                    workflow = durationMillis(field.getKey(), value);
                }
                case "inactivity_timeout" -> inactivity = durationMillis(field.getKey(), value);
                case "max_wait" -> maxWait = durationMillis(field.getKey(), value);
                case "reject_changed_requests" -> reject = flag(field.getKey(), value);
                case "publish_results" -> publishResults = flag(field.getKey(), value);
                case "dead_letter_failures" -> deadLetterFailures = flag(field.getKey(), value);
                case "validate_input" -> validateInput = flag(field.getKey(), value);
                case "retry_policy" -> retry = retryOverrides(retry, value);
                default -> throw HttpError.of(400, "unknown setting '" + field.getKey() + "'; known: "
                        + "idempotency_retention, journal_retention, workflow_completion_retention, "
                        + "inactivity_timeout, retry_policy, max_wait, reject_changed_requests, publish_results, "
                        + "dead_letter_failures, validate_input");
            }
        }
        ServiceOverrides next = new ServiceOverrides(service.name(), idempotency, journal, workflow, reject, maxWait,
                inactivity, retry, publishResults, deadLetterFailures, validateInput);
        try {
            registryView.awaitApplied(registryWriter.put(next), REGISTRY_WAIT);
        } catch (ExecutionException | TimeoutException e) {
            throw HttpError.of(503, "could not store the settings: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw HttpError.of(503, "interrupted while storing the settings");
        }
        HttpAnswers.json(res, 200, serviceJson(service));
    }

    /** {@code retry_policy}: Restate's fields, each optional; null (or a null policy) returns to the defaults. */
    private static ServiceOverrides.RetryOverrides retryOverrides(ServiceOverrides.RetryOverrides current,
            JsonNode value) {
        if (value.isNull()) {
            return null;
        }
        if (!value.isObject()) {
            throw HttpError.of(400, "retry_policy must be an object with initial_interval, "
                    + "exponentiation_factor, max_interval, max_attempts and on_max_attempts");
        }
        Long initial = current == null ? null : current.initialIntervalMillis();
        Double factor = current == null ? null : current.exponentiationFactor();
        Long max = current == null ? null : current.maxIntervalMillis();
        Integer attempts = current == null ? null : current.maxAttempts();
        String onMax = current == null ? null : current.onMaxAttempts();
        for (Map.Entry<String, JsonNode> field : value.properties()) {
            JsonNode v = field.getValue();
            switch (field.getKey()) {
                case "initial_interval" -> initial = durationMillis("retry_policy.initial_interval", v);
                case "max_interval" -> max = durationMillis("retry_policy.max_interval", v);
                case "exponentiation_factor" -> {
                    // 1e400 reads as infinity, which would make every wait after the first the longest.
                    if (!v.isNull() && (!v.isNumber() || v.asDouble() < 1.0 || !Double.isFinite(v.asDouble()))) {
                        throw HttpError.of(400, "retry_policy.exponentiation_factor must be a finite number >= 1,"
                                + " got " + v);
                    }
                    factor = v.isNull() ? null : v.asDouble();
                }
                case "max_attempts" -> {
                    if (!v.isNull() && (!v.canConvertToInt() || v.asInt() < 1)) {
                        throw HttpError.of(400, "retry_policy.max_attempts must be a whole number >= 1");
                    }
                    attempts = v.isNull() ? null : v.asInt();
                }
                case "on_max_attempts" -> {
                    String text = v.isNull() ? null : v.asText().toUpperCase(Locale.ROOT);
                    if (text != null && !text.equals("PAUSE") && !text.equals("KILL")) {
                        throw HttpError.of(400, "retry_policy.on_max_attempts must be Pause or Kill");
                    }
                    onMax = text;
                }
                default -> throw HttpError.of(400, "unknown retry_policy field '" + field.getKey() + "'");
            }
        }
        return new ServiceOverrides.RetryOverrides(initial, factor, max, attempts, onMax);
    }

    private static Boolean flag(String field, JsonNode value) {
        if (!value.isNull() && !value.isBoolean()) {
            throw HttpError.of(400, field + " must be true, false or null");
        }
        return value.isNull() ? null : value.asBoolean();
    }

    private static Long durationMillis(String field, JsonNode value) {
        if (value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw HttpError.of(400, field + " must be a duration such as \"1d\", \"30m\" or \"PT1H\"");
        }
        try {
            return Durations.parse(value.asText()).toMillis();
        } catch (IllegalArgumentException e) {
            throw HttpError.of(400, "invalid " + field + ": " + e.getMessage());
        }
    }

    private void listHandlers(ServerRequest req, ServerResponse res) {
        RegisteredService service = service(req);
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode list = body.putArray("handlers");
        service.manifest().handlers().forEach(h -> list.add(AdminJson.handler(service.manifest(), h)));
        HttpAnswers.json(res, 200, body);
    }

    private void getHandler(ServerRequest req, ServerResponse res) {
        RegisteredService service = service(req);
        String name = req.path().pathParameters().get("handler");
        HandlerManifest handler = service.handler(name);
        if (handler == null) {
            throw HttpError.of(404, "The requested handler '" + name + "' on service '" + service.name()
                    + "' does not exist");
        }
        HttpAnswers.json(res, 200, AdminJson.handler(service.manifest(), handler));
    }

    private RegisteredService service(ServerRequest req) {
        String name = req.path().pathParameters().get("name");
        return registry().service(name).orElseThrow(() ->
                HttpError.of(404, "The requested service '" + name + "' does not exist"));
    }
}

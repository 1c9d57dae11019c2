package dev.ferry.ingress;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.registry.RegisteredService;
import dev.ferry.registry.Registry;
import dev.ferry.registry.RegistryView;
import dev.ferry.registry.RegistryWriter;
import dev.ferry.registry.ServiceSettings;
import dev.ferry.schemas.Durations;
import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.dispatch.RequestSignature;
import dev.ferry.schemas.ResourceId;
import dev.ferry.schemas.deployments.ServiceType;
import dev.ferry.schemas.deployments.Deployment;
import dev.ferry.schemas.deployments.EndpointManifest;
import dev.ferry.schemas.deployments.HandlerManifest;
import dev.ferry.schemas.deployments.ServiceOverrides;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/** The admin API on port 9070: deployments and services. */
public final class AdminApi {
    private static final Duration REGISTRY_WAIT = Duration.ofSeconds(10);

    private final RegistryView registryView;
    private final RegistryWriter registryWriter;
    private final ServiceSettings defaults;
    private final Discovery discovery;
    /** One registration at a time, so two concurrent ones for one URI cannot both create a deployment. */
    private final Object registering = new Object();

    public AdminApi(RegistryView registryView, RegistryWriter registryWriter, ServiceSettings defaults,
            HttpClient httpClient) {
        this.registryView = registryView;
        this.registryWriter = registryWriter;
        this.defaults = defaults;
        this.discovery = new Discovery(httpClient);
    }

    /** The admin routing table. */
    public void routes(HttpRouting.Builder routing) {
        routing.post("/deployments", this::register)
                .get("/deployments", this::listDeployments)
                .get("/deployments/{id}", this::getDeployment)
                .delete("/deployments/{id}", this::deleteDeployment)
                .get("/services", this::listServices)
                .get("/services/{name}", this::getService)
                .patch("/services/{name}", this::modifyService)
                .get("/services/{name}/handlers", this::listHandlers)
                .get("/services/{name}/handlers/{handler}", this::getHandler);
    }

    private Registry registry() {
        return registryView.registry();
    }

    /** Registers a deployment: discovers its manifest (or takes it inline), checks it, writes it. */
    private void register(ServerRequest req, ServerResponse res) {
        JsonNode body = readJson(req);
        if (body == null || !body.isObject() || !body.path("uri").isTextual()) {
            throw AdminError.text(422, "Failed to deserialize the JSON body into the target type: "
                    + "expected an object with a string field `uri` (and optionally `manifest`)");
        }
        URI uri = endpointUri(body.get("uri").asText());
        String signingKey = signingKey(body);
        EndpointManifest manifest;
        if (body.has("manifest")) {
            try {
                manifest = Json.MAPPER.treeToValue(body.get("manifest"), EndpointManifest.class);
            } catch (JsonProcessingException e) {
                throw AdminError.json(400, "the inline manifest is not valid: " + e.getOriginalMessage());
            }
        } else {
            manifest = discovery.discover(uri);
        }
        synchronized (registering) {
            Registry registry = registry();
            List<String> problems = ManifestCheck.problems(manifest, registry, uri.toString());
            if (!problems.isEmpty()) {
                throw AdminError.json(400, "the deployment's manifest cannot be registered: "
                        + String.join("; ", problems));
            }
            Optional<Deployment> existing = registry.deploymentByUri(uri.toString());
            Deployment deployment;
            int status;
            // A registration without signing_key keeps the key the deployment has; "" removes it.
            String key = signingKey == null ? existing.map(Deployment::signingKey).orElse(null)
                    : signingKey.isEmpty() ? null : signingKey;
            if (existing.isPresent() && existing.get().services().equals(manifest.services())) {
                deployment = existing.get();
                status = 200;
                if (!Objects.equals(deployment.signingKey(), key)) {
                    deployment = deployment.withSigningKey(key);
                    write(deployment);
                }
            } else if (existing.isPresent()) {
                Deployment old = existing.get();
                deployment = new Deployment(old.id(), old.uri(), old.createdAt(), old.revision() + 1,
                        manifest.services(), key);
                status = 200;
                write(deployment);
            } else {
                deployment = new Deployment(ResourceId.random(ResourceId.DEPLOYMENT), uri.toString(),
                        System.currentTimeMillis(), 1, manifest.services(), key);
                status = 201;
                write(deployment);
            }
            res.header(HeaderNames.LOCATION, "deployments/" + deployment.id());
            Responses.json(res, status, AdminJson.registration(deployment, defaults));
        }
    }

    /** The {@code signing_key} of a registration: null when absent, "" to remove the deployment's key. */
    private static String signingKey(JsonNode body) {
        JsonNode key = body.get("signing_key");
        if (key == null || key.isNull()) {
            return null;
        }
        if (!key.isTextual()) {
            throw AdminError.json(400, "signing_key must be a string");
        }
        String text = key.asText();
        if (!text.isEmpty() && text.length() < RequestSignature.MIN_KEY_LENGTH) {
            throw AdminError.json(400, "signing_key must have at least " + RequestSignature.MIN_KEY_LENGTH
                    + " characters (\"\" removes the deployment's key)");
        }
        return text;
    }

    private static URI endpointUri(String text) {
        try {
            URI uri = new URI(text);
            if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                    || uri.getHost() == null) {
                throw AdminError.json(400, "the deployment uri must be an absolute http:// or https:// URL: '"
                        + text + "'");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw AdminError.json(400, "the deployment uri is not a valid URL: " + e.getMessage());
        }
    }

    /** Writes a deployment record and waits until this process's registry view has applied it. */
    private void write(Deployment deployment) {
        try {
            registryView.awaitApplied(registryWriter.put(deployment), REGISTRY_WAIT);
        } catch (ExecutionException | TimeoutException e) {
            throw AdminError.json(503, "could not store the deployment: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw AdminError.json(503, "interrupted while storing the deployment");
        }
    }

    private void listDeployments(ServerRequest req, ServerResponse res) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode list = body.putArray("deployments");
        registry().deployments().forEach(d -> list.add(AdminJson.deploymentSummary(d)));
        Responses.json(res, 200, body);
    }

    private void getDeployment(ServerRequest req, ServerResponse res) {
        Deployment deployment = deployment(req.path().pathParameters().get("id"));
        Responses.json(res, 200, AdminJson.deploymentDetail(deployment, defaults));
    }

    private void deleteDeployment(ServerRequest req, ServerResponse res) {
        Deployment deployment = deployment(req.path().pathParameters().get("id"));
        try {
            registryView.awaitApplied(registryWriter.remove(deployment.id()), REGISTRY_WAIT);
        } catch (ExecutionException | TimeoutException e) {
            throw AdminError.json(503, "could not remove the deployment: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw AdminError.json(503, "interrupted while removing the deployment");
        }
        res.status(202).send();
    }

    private Deployment deployment(String id) {
        try {
            ResourceId.validate(ResourceId.DEPLOYMENT, id);
        } catch (InvocationId.InvalidIdException e) {
            throw AdminError.text(400, "Invalid URL: Cannot parse `deployment` with value `" + id + "`: "
                    + e.getMessage());
        }
        return registry().deployment(id).orElseThrow(() ->
                AdminError.json(404, "The requested deployment '" + id + "' does not exist"));
    }

    private void listServices(ServerRequest req, ServerResponse res) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode list = body.putArray("services");
        registry().services().forEach(s -> list.add(serviceJson(s)));
        Responses.json(res, 200, body);
    }

    private void getService(ServerRequest req, ServerResponse res) {
        Responses.json(res, 200, serviceJson(service(req)));
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
        JsonNode body = readJson(req);
        if (!body.isObject()) {
            throw AdminError.json(400, "expected a JSON object of settings");
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
                        throw AdminError.json(400, "workflow_completion_retention applies to workflows only, and "
                                + service.name() + " is a " + AdminJson.serviceType(service.manifest().ty()));
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
                default -> throw AdminError.json(400, "unknown setting '" + field.getKey() + "'; known: "
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
            throw AdminError.json(503, "could not store the settings: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw AdminError.json(503, "interrupted while storing the settings");
        }
        Responses.json(res, 200, serviceJson(service));
    }

    /** {@code retry_policy}: Restate's fields, each optional; null (or a null policy) returns to the defaults. */
    private static ServiceOverrides.RetryOverrides retryOverrides(ServiceOverrides.RetryOverrides current,
            JsonNode value) {
        if (value.isNull()) {
            return null;
        }
        if (!value.isObject()) {
            throw AdminError.json(400, "retry_policy must be an object with initial_interval, "
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
                        throw AdminError.json(400, "retry_policy.exponentiation_factor must be a finite number >= 1,"
                                + " got " + v);
                    }
                    factor = v.isNull() ? null : v.asDouble();
                }
                case "max_attempts" -> {
                    if (!v.isNull() && (!v.canConvertToInt() || v.asInt() < 1)) {
                        throw AdminError.json(400, "retry_policy.max_attempts must be a whole number >= 1");
                    }
                    attempts = v.isNull() ? null : v.asInt();
                }
                case "on_max_attempts" -> {
                    String text = v.isNull() ? null : v.asText().toUpperCase(Locale.ROOT);
                    if (text != null && !text.equals("PAUSE") && !text.equals("KILL")) {
                        throw AdminError.json(400, "retry_policy.on_max_attempts must be Pause or Kill");
                    }
                    onMax = text;
                }
                default -> throw AdminError.json(400, "unknown retry_policy field '" + field.getKey() + "'");
            }
        }
        return new ServiceOverrides.RetryOverrides(initial, factor, max, attempts, onMax);
    }

    private static Boolean flag(String field, JsonNode value) {
        if (!value.isNull() && !value.isBoolean()) {
            throw AdminError.json(400, field + " must be true, false or null");
        }
        return value.isNull() ? null : value.asBoolean();
    }

    private static Long durationMillis(String field, JsonNode value) {
        if (value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw AdminError.json(400, field + " must be a duration such as \"1d\", \"30m\" or \"PT1H\"");
        }
        try {
            return Durations.parse(value.asText()).toMillis();
        } catch (IllegalArgumentException e) {
            throw AdminError.json(400, "invalid " + field + ": " + e.getMessage());
        }
    }

    private static JsonNode readJson(ServerRequest req) {
        try {
            JsonNode body = Json.MAPPER.readTree(req.content().hasEntity() ? req.content().as(byte[].class) : new byte[0]);
            if (body == null || body.isMissingNode()) {
                throw AdminError.text(400, "Failed to parse the request body as JSON: the body is empty");
            }
            return body;
        } catch (JsonProcessingException e) {
            throw AdminError.text(400, "Failed to parse the request body as JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw AdminError.text(400, "Failed to parse the request body as JSON: " + e.getMessage());
        }
    }

    private void listHandlers(ServerRequest req, ServerResponse res) {
        RegisteredService service = service(req);
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode list = body.putArray("handlers");
        service.manifest().handlers().forEach(h -> list.add(AdminJson.handler(service.manifest(), h)));
        Responses.json(res, 200, body);
    }

    private void getHandler(ServerRequest req, ServerResponse res) {
        RegisteredService service = service(req);
        String name = req.path().pathParameters().get("handler");
        HandlerManifest handler = service.handler(name);
        if (handler == null) {
            throw AdminError.json(404, "The requested handler '" + name + "' on service '" + service.name()
                    + "' does not exist");
        }
        Responses.json(res, 200, AdminJson.handler(service.manifest(), handler));
    }

    private RegisteredService service(ServerRequest req) {
        String name = req.path().pathParameters().get("name");
        return registry().service(name).orElseThrow(() ->
                AdminError.json(404, "The requested service '" + name + "' does not exist"));
    }
}

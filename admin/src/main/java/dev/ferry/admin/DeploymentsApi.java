package dev.ferry.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.http.HttpAnswers;
import dev.ferry.http.HttpError;
import dev.ferry.registry.Registry;
import dev.ferry.registry.RegistryView;
import dev.ferry.registry.RegistryWriter;
import dev.ferry.registry.ServiceSettings;
import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.ResourceId;
import dev.ferry.schemas.deployments.Deployment;
import dev.ferry.schemas.deployments.EndpointManifest;
import dev.ferry.schemas.deployments.ServiceProtocol;
import dev.ferry.schemas.dispatch.RequestSignature;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/** {@code /deployments}: register a service endpoint (discovering what it serves), list, describe, remove. */
public final class DeploymentsApi implements HttpService {
    private static final Duration REGISTRY_WAIT = Duration.ofSeconds(10);

    private final RegistryView registryView;
    private final RegistryWriter registryWriter;
    private final ServiceSettings defaults;
    private final Discovery discovery;
    /** One registration at a time, so two concurrent ones for one URI cannot both create a deployment. */
    private final Object registering = new Object();

    public DeploymentsApi(RegistryView registryView, RegistryWriter registryWriter, ServiceSettings defaults,
            HttpClient httpClient) {
        this.registryView = registryView;
        this.registryWriter = registryWriter;
        this.defaults = defaults;
        this.discovery = new Discovery(httpClient);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/", this::register)
                .get("/", this::listDeployments)
                .get("/{id}", this::getDeployment)
                .delete("/{id}", this::deleteDeployment);
    }

    private Registry registry() {
        return registryView.registry();
    }

    /** Registers a deployment: discovers its manifest (or takes it inline), checks it, writes it. */
    private void register(ServerRequest req, ServerResponse res) {
        JsonNode body = AdminRequests.readJson(req);
        if (body == null || !body.isObject() || !body.path("uri").isTextual()) {
            throw HttpError.plainText(422, "Failed to deserialize the JSON body into the target type: "
                    + "expected an object with a string field `uri` (and optionally `manifest`)");
        }
        URI uri = endpointUri(body.get("uri").asText());
        String signingKey = signingKey(body);
        Boolean useHttp11 = useHttp11(body);
        EndpointManifest manifest;
        ServiceProtocol protocol = null; // Ferry's plain HTTP contract
        if (body.has("manifest")) {
            try {
                manifest = Json.MAPPER.treeToValue(body.get("manifest"), EndpointManifest.class);
            } catch (JsonProcessingException e) {
                throw HttpError.of(400, "the inline manifest is not valid: " + e.getOriginalMessage());
            }
        } else {
            Discovery.Discovered discovered = discovery.discover(uri, useHttp11);
            manifest = discovered.manifest();
            protocol = discovered.protocol();
        }
        synchronized (registering) {
            Registry registry = registry();
            List<String> problems = ManifestCheck.problems(manifest, registry, uri.toString());
            if (!problems.isEmpty()) {
                throw HttpError.of(400, "the deployment's manifest cannot be registered: "
                        + String.join("; ", problems));
            }
            Optional<Deployment> existing = registry.deploymentByUri(uri.toString());
            Deployment deployment;
            int status;
            // A registration without signing_key keeps the key the deployment has; "" removes it.
            String key = signingKey == null ? existing.map(Deployment::signingKey).orElse(null)
                    : signingKey.isEmpty() ? null : signingKey;
            if (existing.isPresent() && existing.get().services().equals(manifest.services())
                    && Objects.equals(existing.get().protocol(), protocol)) {
                deployment = existing.get();
                status = 200;
                if (!Objects.equals(deployment.signingKey(), key)) {
                    deployment = deployment.withSigningKey(key);
                    write(deployment);
                }
            } else if (existing.isPresent()) {
                Deployment old = existing.get();
                deployment = new Deployment(old.id(), old.uri(), old.createdAt(), old.revision() + 1,
                        manifest.services(), key, protocol);
                status = 200;
                write(deployment);
            } else {
                deployment = new Deployment(ResourceId.random(ResourceId.DEPLOYMENT), uri.toString(),
                        System.currentTimeMillis(), 1, manifest.services(), key, protocol);
                status = 201;
                write(deployment);
            }
            res.header(HeaderNames.LOCATION, "deployments/" + deployment.id());
            HttpAnswers.json(res, status, AdminJson.registration(deployment, defaults));
        }
    }

    /**
     * Restate's {@code use_http_11}: true calls the endpoint over HTTP/1.1 only, false over HTTP/2 only (with prior
     * knowledge for {@code http://}). Null when absent: discovery tries HTTP/1.1, then HTTP/2 ({@link Discovery}).
     */
    private static Boolean useHttp11(JsonNode body) {
        JsonNode flag = body.get("use_http_11");
        if (flag == null || flag.isNull()) {
            return null;
        }
        if (!flag.isBoolean()) {
            throw HttpError.of(400, "use_http_11 must be true or false");
        }
        return flag.asBoolean();
    }

    /** The {@code signing_key} of a registration: null when absent, "" to remove the deployment's key. */
    private static String signingKey(JsonNode body) {
        JsonNode key = body.get("signing_key");
        if (key == null || key.isNull()) {
            return null;
        }
        if (!key.isTextual()) {
            throw HttpError.of(400, "signing_key must be a string");
        }
        String text = key.asText();
        String problem = text.isEmpty() ? null : RequestSignature.keyProblem(text);
        if (problem != null) {
            throw HttpError.of(400, "signing_key " + problem + " (\"\" removes the deployment's key)");
        }
        return text;
    }

    private static URI endpointUri(String text) {
        try {
            URI uri = new URI(text);
            if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                    || uri.getHost() == null) {
                throw HttpError.of(400, "the deployment uri must be an absolute http:// or https:// URL: '"
                        + text + "'");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw HttpError.of(400, "the deployment uri is not a valid URL: " + e.getMessage());
        }
    }

    /** Writes a deployment record and waits until this process's registry view has applied it. */
    private void write(Deployment deployment) {
        try {
            registryView.awaitApplied(registryWriter.put(deployment), REGISTRY_WAIT);
        } catch (ExecutionException | TimeoutException e) {
            throw HttpError.of(503, "could not store the deployment: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw HttpError.of(503, "interrupted while storing the deployment");
        }
    }

    private void listDeployments(ServerRequest req, ServerResponse res) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode list = body.putArray("deployments");
        registry().deployments().forEach(d -> list.add(AdminJson.deploymentSummary(d)));
        HttpAnswers.json(res, 200, body);
    }

    private void getDeployment(ServerRequest req, ServerResponse res) {
        Deployment deployment = deployment(req.path().pathParameters().get("id"));
        HttpAnswers.json(res, 200, AdminJson.deploymentDetail(deployment, defaults));
    }

    private void deleteDeployment(ServerRequest req, ServerResponse res) {
        Deployment deployment = deployment(req.path().pathParameters().get("id"));
        try {
            registryView.awaitApplied(registryWriter.remove(deployment.id()), REGISTRY_WAIT);
        } catch (ExecutionException | TimeoutException e) {
            throw HttpError.of(503, "could not remove the deployment: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw HttpError.of(503, "interrupted while removing the deployment");
        }
        res.status(202).send();
    }

    private Deployment deployment(String id) {
        try {
            ResourceId.validate(ResourceId.DEPLOYMENT, id);
        } catch (InvocationId.InvalidIdException e) {
            throw HttpError.plainText(400, "Invalid URL: Cannot parse `deployment` with value `" + id + "`: "
                    + e.getMessage());
        }
        return registry().deployment(id).orElseThrow(() ->
                HttpError.of(404, "The requested deployment '" + id + "' does not exist"));
    }
}

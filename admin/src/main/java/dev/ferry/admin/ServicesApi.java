package dev.ferry.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.client.ProcessorClient;
import dev.ferry.http.HttpAnswers;
import dev.ferry.http.HttpError;
import dev.ferry.registry.RegisteredService;
import dev.ferry.registry.Registry;
import dev.ferry.registry.RegistryView;
import dev.ferry.registry.RegistryWriter;
import dev.ferry.registry.ServiceOverrides;
import dev.ferry.registry.ServiceSetting;
import dev.ferry.registry.ServiceSettings;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.deployments.HandlerManifest;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * {@code /services}: the registered services and their handlers, each service's settings ({@code PATCH}) and its
 * OpenAPI document, and the state of a virtual object's or workflow's key ({@link StateApi}, read-only).
 */
public final class ServicesApi implements HttpService {
    private static final Duration REGISTRY_WAIT = Duration.ofSeconds(10);

    private final RegistryView registryView;
    private final RegistryWriter registryWriter;
    private final ServiceSettings defaults;
    private final OpenApiRoutes openApi;
    private final StateApi state;

    /** @param processor asked for the state of keys */
    public ServicesApi(RegistryView registryView, RegistryWriter registryWriter, ServiceSettings defaults,
            OpenApiRoutes openApi, ProcessorClient processor) {
        this.registryView = registryView;
        this.registryWriter = registryWriter;
        this.defaults = defaults;
        this.openApi = openApi;
        this.state = new StateApi(registryView, processor);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::listServices)
                .get("/{name}", this::getService)
                .patch("/{name}", this::modifyService)
                .get("/{name}/handlers", this::listHandlers)
                .get("/{name}/handlers/{handler}", this::getHandler)
                .get("/{name}/openapi", openApi::service)
                .get("/{name}/state/{+key}", state::get);
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
        return AdminJson.service(service, registry().settings(service.name(), defaults));
    }

    /**
     * Changes a service's settings: any of {@link ServiceSetting#CHANGEABLE} (Restate's retentions, inactivity
     * timeout and retry policy, and Ferry's own), each read as its {@link ServiceSetting} says. A field set to null
     * returns to the manifest's value or Ferry's default.
     */
    private void modifyService(ServerRequest req, ServerResponse res) {
        RegisteredService service = service(req);
        JsonNode body = AdminRequests.readJson(req);
        if (!body.isObject()) {
            throw HttpError.of(400, "expected a JSON object of settings");
        }
        ServiceOverrides next;
        try {
            next = registry().overrides(service.name()).changedBy(body, service.manifest());
        } catch (ServiceOverrides.InvalidChange e) {
            throw HttpError.of(400, e.getMessage());
        }
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

package dev.ferry.ingress;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.http.HttpAnswers;
import dev.ferry.http.HttpError;
import dev.ferry.registry.RegisteredService;
import dev.ferry.registry.RegistryView;
import dev.ferry.schemas.Json;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.Supplier;

/** The ingress routing table on port 8080, read top to bottom. */
public final class IngressRoutes {
    private static final String CALL = "/restate/call/";
    private static final String SEND = "/restate/send/";
    private static final String INVOCATION = "/restate/invocation/";
    private static final String WORKFLOW = "/restate/workflow/";
    private static final String ATTACH = "/restate/attach/";
    private static final String OUTPUT = "/restate/output/";
    private static final String AWAKEABLES = "/restate/awakeables";
    /** Restate's short form of {@link #AWAKEABLES}. */
    private static final String AWAKEABLES_SHORT = "/restate/a";

    private final Invocations invocations;
    private final Attachments attachments;
    private final Awakeables awakeables;
    /** {@code GET /openapi}: every service in one document (the admin module writes it). */
    private final Handler openApi;
    private final RegistryView registry;

    private final IngressGate gate;

    /** @param notReady why Ferry cannot serve right now, or null when it can */
    public IngressRoutes(Invocations invocations, Attachments attachments, Handler openApi,
            RegistryView registry, MeterRegistry meters, Supplier<String> notReady) {
        this.invocations = invocations;
        this.attachments = attachments;
        // Awakeables append through the same processor client as calls and sends.
        this.awakeables = new Awakeables(invocations.processor());
        this.openApi = openApi;
        this.registry = registry;
        this.gate = new IngressGate(meters, notReady);
    }

    public void routes(HttpRouting.Builder routing) {
        routing.addFilter(new Cors())
                .addFilter(gate)
                .any("/restate/health", this::health)
                .get("/openapi", openApi)
                .any(CALL + "*", (req, res) -> invocations.restateForm(req, res, rest(req, CALL), false))
                .any(SEND + "*", (req, res) -> invocations.restateForm(req, res, rest(req, SEND), true))
                .any(INVOCATION + "*", (req, res) -> attachments.invocationPath(req, res, rest(req, INVOCATION)))
                .any(WORKFLOW + "*", (req, res) -> attachments.workflowPath(req, res, rest(req, WORKFLOW)))
                .any("/restate/attach", (req, res) -> attachments.byTarget(req, res, true))
                .any("/restate/output", (req, res) -> attachments.byTarget(req, res, false))
                .any("/restate/lookup", attachments::lookup)
                .any(ATTACH + "*", (req, res) -> attachments.byIdPath(req, res, rest(req, ATTACH), true))
                .any(OUTPUT + "*", (req, res) -> attachments.byIdPath(req, res, rest(req, OUTPUT), false))
                .any(AWAKEABLES, (req, res) -> awakeables.handle(req, res, null))
                .any(AWAKEABLES + "/*", (req, res) -> awakeables.handle(req, res, rest(req, AWAKEABLES + "/")))
                .any(AWAKEABLES_SHORT, (req, res) -> awakeables.handle(req, res, null))
                .any(AWAKEABLES_SHORT + "/*",
                        (req, res) -> awakeables.handle(req, res, rest(req, AWAKEABLES_SHORT + "/")))
                .any("/restate/*", (req, res) -> {
                    throw HttpError.notFound("not found");
                })
                .any(invocations::classic);
    }

    /** {@code {"services":[…]}}: the names of the registered services. */
    private void health(ServerRequest req, ServerResponse res) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode services = body.putArray("services");
        registry.registry().services().stream().map(RegisteredService::name).forEach(services::add);
        HttpAnswers.json(res, 200, body);
    }

    private static String rest(ServerRequest req, String prefix) {
        String raw = req.prologue().uriPath().rawPath();
        return raw.length() > prefix.length() ? raw.substring(prefix.length()) : "";
    }
}

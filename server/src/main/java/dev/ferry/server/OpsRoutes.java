package dev.ferry.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.schemas.Json;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * What operators and orchestrators ask every Ferry process, whatever its roles, on the admin port:
 * {@code GET /health} (the process is alive: 200, empty, as Restate answers), {@code GET /health/ready} (it can
 * serve: 200, or 503 naming what is not ready) and {@code GET /metrics} (Prometheus text format).
 */
final class OpsRoutes implements HttpService {
    private final Readiness readiness;
    private final PrometheusMeterRegistry meters;

    OpsRoutes(Readiness readiness, PrometheusMeterRegistry meters) {
        this.readiness = readiness;
        this.meters = meters;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/health", (req, res) -> res.send())
                .get("/health/ready", this::ready)
                .get("/metrics", this::metrics);
    }

    private void ready(ServerRequest req, ServerResponse res) {
        boolean ready = readiness.ready();
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("status", ready ? "ready" : "not ready");
        ObjectNode checks = body.putObject("checks");
        readiness.report().forEach(checks::put);
        res.status(ready ? 200 : 503);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(Json.write(body));
    }

    private void metrics(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        res.send(meters.scrape());
    }
}

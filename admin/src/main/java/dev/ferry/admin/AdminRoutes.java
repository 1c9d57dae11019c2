package dev.ferry.admin;

import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.HttpService;

/**
 * The admin port's routing table (9070), read top to bottom: each resource and the service that answers it. A
 * process without the ingress role serves only the first line (health checks and metrics).
 */
public final class AdminRoutes {
    private final HttpService ops;
    private final Api api;

    /**
     * The admin API of a process with the ingress role.
     *
     * @param deadLetters {@code /dead-letters}: the newest records of the dead-letter topic, read-only
     * @param openApi {@code /openapi}: the document of what the admin API has beyond Restate's
     * @param ui {@code /}, {@code /version}, {@code /ui/*}: the UI's pages
     */
    public record Api(DeploymentsApi deployments, ServicesApi services, InvocationsApi invocations,
            SubscriptionsApi subscriptions, DeadLettersApi deadLetters, OpenApiRoutes openApi, UiPages ui) {}

    /**
     * @param ops {@code /health}, {@code /health/ready}, {@code /metrics}: what every process answers
     * @param api the admin API; null on a process without the ingress role
     */
    public AdminRoutes(HttpService ops, Api api) {
        this.ops = ops;
        this.api = api;
    }

    public boolean servesApi() {
        return api != null;
    }

    public void routes(HttpRouting.Builder routing) {
        routing.register(ops);
        if (api == null) {
            return;
        }
        routing.register("/deployments", api.deployments())
                .register("/services", api.services())
                .register("/invocations", api.invocations())
                .register("/subscriptions", api.subscriptions())
                .register("/dead-letters", api.deadLetters())
                .get("/openapi", api.openApi()::admin)
                .register(api.ui());
    }
}

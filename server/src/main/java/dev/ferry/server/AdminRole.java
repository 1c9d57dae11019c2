package dev.ferry.server;

import dev.ferry.admin.AdminRoutes;
import dev.ferry.admin.AdminServer;
import dev.ferry.admin.DeadLettersApi;
import dev.ferry.admin.DeploymentsApi;
import dev.ferry.admin.InvocationsApi;
import dev.ferry.admin.OpenApiRoutes;
import dev.ferry.admin.ServicesApi;
import dev.ferry.admin.SubscriptionsApi;
import dev.ferry.admin.UiPages;
import dev.ferry.client.ProcessorClient;
import dev.ferry.registry.RegistryWriter;
import io.helidon.webserver.http.HttpService;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * The admin port (9070). With the ingress role: the admin API, the UI and OpenAPI. On every process: health
 * checks and metrics.
 */
final class AdminRole {
    private AdminRole() {}

    /** The OpenAPI documents, which the ingress serves too ({@code GET /openapi}). */
    static OpenApiRoutes openApi(Roles roles, IntSupplier ingressPort) {
        return new OpenApiRoutes(roles.registry(), ingressPort, roles.config().publicIngressUrl());
    }

    /**
     * @param processor the ingress role's processor client; null on a process without it (health and metrics only)
     */
    static AdminServer start(Roles roles, HttpService ops, ProcessorClient processor, OpenApiRoutes openApi,
            Map<String, Map<String, String>> clusters, IntSupplier ingressPort) {
        FerryConfig config = roles.config();
        AdminRoutes.Api api = null;
        if (processor != null) {
            RegistryWriter registryWriter = roles.opened(new RegistryWriter(roles.topics().deployments(), roles.kafka()));
            HttpClient discoveryClient = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
            roles.opened(discoveryClient::shutdownNow);
            api = new AdminRoutes.Api(
                    new DeploymentsApi(roles.registry(), registryWriter, config.serviceDefaults(), discoveryClient),
                    new ServicesApi(roles.registry(), registryWriter, config.serviceDefaults(), openApi, processor),
                    new InvocationsApi(processor),
                    new SubscriptionsApi(roles.registry(), registryWriter, clusters, config.resultTopics()),
                    new DeadLettersApi(roles.kafka(), roles.topics().deadLetter()),
                    openApi,
                    new UiPages(ingressPort, config.publicIngressUrl()));
        }
        return roles.opened(new AdminServer(config.adminHost(), config.adminPort(), config.maxBodyBytes(),
                config.adminAllowedOrigins(), config.adminToken(), new AdminRoutes(ops, api))).start();
    }
}

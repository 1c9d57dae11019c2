package dev.ferry.server;

import dev.ferry.client.CommandLog;
import dev.ferry.client.InvocationQueries;
import dev.ferry.client.KafkaProcessorClient;
import dev.ferry.client.ProcessorClient;
import dev.ferry.client.ReplyListener;
import dev.ferry.client.Waiters;
import dev.ferry.ingress.Attachments;
import dev.ferry.ingress.IngressRoutes;
import dev.ferry.ingress.IngressServer;
import dev.ferry.ingress.IngressSettings;
import dev.ferry.ingress.Invocations;
import io.helidon.webserver.http.Handler;
import java.util.UUID;

/**
 * The ingress role: the invocation API on port 8080, and the processor client it shares with the admin API
 * (commands on the requests topic, answers on this process's replies partition).
 */
final class IngressRole {
    private final ProcessorClient processorClient;
    private final Waiters waiters;
    private final ReplyListener replies;
    private IngressServer server;

    private IngressRole(ProcessorClient processorClient, Waiters waiters, ReplyListener replies) {
        this.processorClient = processorClient;
        this.waiters = waiters;
        this.replies = replies;
    }

    /**
     * Opens the way to the processor; {@link #serve} then opens the port.
     *
     * @param log this process's command log, whose producer the ingress's appends share
     */
    static IngressRole connect(Roles roles, CommandLog log) {
        FerryConfig config = roles.config();
        String ingressId = "ingress-" + UUID.randomUUID();
        Waiters waiters = new Waiters(config.maxWaitersPerInvocation());
        ReplyListener replies = roles.opened(
                new ReplyListener(roles.topics().replies(), ingressId, waiters, roles.kafka(), roles.limits()));
        replies.start();
        roles.readiness().add("replies", true, () -> replies.listening() ? null : "the reply listener stopped");
        // The ingress's commands go to the requests topic: only there is a replyTo honoured. Through the log's
        // producer (CommandLog.to), opened before this and so closed after.
        CommandLog requests = roles.opened(log.to(roles.topics().requests()));
        InvocationQueries queries = roles.opened(
                new InvocationQueries(roles.topics(), ingressId, waiters, requests.partitions(), roles.kafka()));
        return new IngressRole(new KafkaProcessorClient(ingressId, requests, waiters, queries), waiters, replies);
    }

    /** @param openApi {@code GET /openapi}: every service in one document */
    void serve(Roles roles, Handler openApi) {
        FerryConfig config = roles.config();
        IngressRoutes routes = new IngressRoutes(
                new Invocations(roles.registry(), processorClient, config.serviceDefaults()),
                new Attachments(roles.registry(), processorClient), openApi, roles.registry(), roles.meters(),
                roles.readiness()::ingressProblem);
        server = roles.opened(new IngressServer(config.ingressHost(), config.ingressPort(),
                new IngressSettings(config.maxBodyBytes()), routes)).start();
    }

    /** This process's answers, for the processor of the same process to hand its replies to. */
    ReplyListener replies() {
        return replies;
    }

    ProcessorClient processorClient() {
        return processorClient;
    }

    /** How many requests here wait for an answer. */
    int waiting() {
        return waiters.size();
    }

    int port() {
        return server.port();
    }
}

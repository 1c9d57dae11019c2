package dev.ferry.server;

import dev.ferry.client.CommandLog;
import dev.ferry.subscriptions.SubscriptionRunner;
import java.util.Map;

/** Runs the registered Kafka subscriptions (with the ingress role): each record becomes an invocation. */
final class SubscriptionsRole {
    private SubscriptionsRole() {}

    /**
     * @param log subscriptions submit on the log, as any producer of Ferry's cluster may: nobody waits for their
     *     invocations, so they need no replyTo, and the processor checks their result topics like anyone's
     */
    static void start(Roles roles, CommandLog log, Map<String, Map<String, String>> clusters) {
        SubscriptionRunner runner = roles.opened(
                new SubscriptionRunner(roles.topics(), roles.registry(), log, clusters, roles.limits()));
        runner.start();
    }
}

package dev.ferry.server;

import dev.ferry.client.CommandLog;
import dev.ferry.dispatcher.Dispatcher;
import dev.ferry.dispatcher.DispatcherSettings;

/** The dispatcher role: calls services for the processor's dispatches and appends their outcomes to the log. */
final class DispatcherRole {
    private DispatcherRole() {}

    static Dispatcher start(Roles roles, CommandLog log) {
        FerryConfig config = roles.config();
        Dispatcher dispatcher = roles.opened(new Dispatcher(roles.topics(),
                new DispatcherSettings(config.dispatcherMaxInFlight(), config.dispatcherConnectTimeout(),
                        config.signingKey(), roles.limits()),
                roles.kafka(), log, roles.registry(), roles.meters()));
        dispatcher.start();
        roles.readiness().add("dispatcher", false,
                () -> dispatcher.polling() ? null : "the dispatcher stopped polling");
        return dispatcher;
    }
}

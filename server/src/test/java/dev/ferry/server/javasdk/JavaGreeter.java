package dev.ferry.server.javasdk;

import dev.restate.sdk.Context;
import dev.restate.sdk.annotation.Handler;
import dev.restate.sdk.annotation.Service;

// The README's Greeter, written with Restate's Java SDK: {"name":"Mary"} -> {"greeting":"Hello Mary","name":"Mary"}.
// (Line comments, not Javadoc: sdk-api-gen 2.4.0 copies Javadoc into the service's documentation string HTML-escaped,
// so a double quote there becomes \&quot; in the generated Java, which does not compile.)
@Service
public class JavaGreeter {
    public record GreetRequest(String name) {}

    public record Greeting(String greeting, String name) {}

    @Handler
    public Greeting greet(Context ctx, GreetRequest request) {
        return new Greeting("Hello " + request.name(), request.name());
    }
}

package dev.ferry.ingress;

import dev.ferry.http.HttpError;
import dev.ferry.http.HttpErrors;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * In front of every ingress route: answers 503 at once while Ferry is not ready (rather than letting a request wait
 * on a log that cannot be reached), and times every request for the metrics
 * ({@code ferry_ingress_requests_seconds{operation,service,handler,status}}).
 */
final class IngressGate implements Filter {
    private final MeterRegistry meters;
    /** Null when ready; otherwise why not. */
    private final Supplier<String> notReady;

    IngressGate(MeterRegistry meters, Supplier<String> notReady) {
        this.meters = meters;
        this.notReady = notReady;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        long start = System.nanoTime();
        res.whenSent(() -> {
            IngressOperation operation = req.context().get(IngressOperation.class)
                    .orElse(new IngressOperation("other", "", ""));
            Timer.builder("ferry.ingress.requests")
                    .description("Requests to the ingress, by what they did and how they were answered")
                    .tags("operation", operation.operation(), "service", operation.service(),
                            "handler", operation.handler(), "status", Integer.toString(res.status().code()))
                    .register(meters)
                    .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        });
        String problem = notReady.get();
        if (problem != null && !req.path().path().equals("/restate/health")) {
            Cors.decorate(req, res);
            res.header(HeaderNames.RETRY_AFTER, "1");
            HttpErrors.write(res, HttpErrors.Shape.INGRESS, HttpError.of(503, "Ferry cannot take requests now: " + problem));
            return;
        }
        chain.proceed();
    }
}

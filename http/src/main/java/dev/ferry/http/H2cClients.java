package dev.ferry.http;

import java.net.Proxy;
import java.time.Duration;
import java.util.List;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;

/**
 * The one way Ferry speaks HTTP/2 cleartext with prior knowledge (h2c): to services written with Restate's
 * TypeScript SDK and served its default way ({@code restate.serve()} is Node's {@code http2.createServer}, which
 * speaks nothing else). Discovery asks them for their manifest with it, and the dispatcher calls their handlers with
 * it.
 *
 * <p>OkHttp's client, as neither the JDK's (no prior knowledge: it only tries the {@code Upgrade: h2c} dance, which
 * Node's HTTP/2 server refuses) nor Helidon's 4.2.0 (it acknowledges the server's SETTINGS ACK, which Node's HTTP/2
 * server, and so the TypeScript SDK, answers with GOAWAY PROTOCOL_ERROR: helidon-io/helidon#10275) can.
 */
public final class H2cClients {
    private H2cClients() {}

    /**
     * A builder for an h2c client: prior knowledge, no proxy (service endpoints are reached directly, as with the
     * JDK's client), no redirects, and no silent retry of a failed connection (a call to a handler is an attempt the
     * processor counts; it must not run twice behind its back). No read or call timeout: the caller bounds its calls,
     * as a handler may be silent for as long as the service's inactivity timeout allows.
     */
    public static OkHttpClient.Builder builder(Duration connectTimeout) {
        return new OkHttpClient.Builder()
                .protocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE))
                .connectTimeout(connectTimeout)
                .readTimeout(Duration.ZERO)
                .writeTimeout(Duration.ZERO)
                .callTimeout(Duration.ZERO)
                .proxy(Proxy.NO_PROXY)
                .followRedirects(false)
                .retryOnConnectionFailure(false);
    }

    /** Lets go of a client's threads and pooled connections. */
    public static void close(OkHttpClient client) {
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }
}

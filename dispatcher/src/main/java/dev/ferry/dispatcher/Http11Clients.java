package dev.ferry.dispatcher;

import java.net.http.HttpClient;
import java.time.Duration;

/**
 * The JDK HTTP/1.1 client that calls services (plain handlers, and the Restate protocol's request-response mode):
 * one definition for the dispatcher and its tests.
 */
final class Http11Clients {

    private Http11Clients() {
    }

    /**
     * A client whose own tasks run where they are handed over: on the attempt's virtual thread, or on the client's
     * selector thread for what its I/O completes. They are small and do not block (the JDK's maintainers mean the
     * executor to have few threads or to run tasks inline: Daniel Fuchs on net-dev, October 2025), and neither do
     * Ferry's body subscribers ({@link BoundedBody}, the protocol's response stream); each attempt waits for its
     * answer on a virtual thread of its own. The executor the dispatcher had before, a virtual thread per task,
     * started four or five virtual threads a call; at 32 concurrent calls the client's CPU a call was 10-30 % higher
     * with it (docs/performance.md, docs/tools/http-client-executor).
     */
    static HttpClient create(Duration connectTimeout) {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .executor(Runnable::run)
                .build();
    }
}

package dev.ferry.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;

class BoundedBodyTest {
    private static final HttpResponse.ResponseInfo OK = new HttpResponse.ResponseInfo() {
        @Override
        public int statusCode() {
            return 200;
        }

        @Override
        public HttpHeaders headers() {
            return HttpHeaders.of(Map.of("content-length", List.of("10")), (name, value) -> true);
        }

        @Override
        public HttpClient.Version version() {
            return HttpClient.Version.HTTP_1_1;
        }
    };

    @Test
    void aBodyAbortedBeforeItsHeadersCameFailsAsSoonAsItBegins() {
        BoundedBody body = new BoundedBody(1024);
        HttpTimeoutException late = new HttpTimeoutException("the response body did not end in time");
        body.abort(late);

        HttpResponse.BodySubscriber<byte[]> reader = body.apply(OK);
        boolean[] cancelled = {false};
        reader.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {
            }

            @Override
            public void cancel() {
                cancelled[0] = true;
            }
        });

        assertThat(reader.getBody().toCompletableFuture()).isCompletedExceptionally();
        assertThat(reader.getBody().toCompletableFuture().exceptionNow()).isSameAs(late);
        assertThat(cancelled[0]).isTrue();
    }
}

package dev.ferry.dispatcher;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Reads a service's response body and never holds more of it than a limit. A successful answer (2xx) larger
 * than the limit fails with {@link TooLarge} as soon as that is known: from its {@code content-length}, or once
 * the bytes read pass the limit; the connection is then closed rather than read to its end. Of any other answer
 * only the first {@link #ERROR_BODY_BYTES} are kept, which is all its failure message needs.
 */
final class BoundedBody implements HttpResponse.BodyHandler<byte[]> {
    /** What is kept of a body that is not a result: a failure message is cut to 4,096 characters anyway. */
    static final int ERROR_BODY_BYTES = 64 * 1024;

    /** A successful answer's body is over the limit. */
    static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge(long limit) {
            super("the service's response is larger than the limit of " + limit + " bytes");
        }
    }

    private final int limit;
    private volatile Reader reader;
    /** Why the body was aborted, if it was before it began: its reader then fails as soon as it is made. */
    private volatile IOException aborted;

    BoundedBody(int limit) {
        this.limit = limit;
    }

    @Override
    public HttpResponse.BodySubscriber<byte[]> apply(HttpResponse.ResponseInfo info) {
        boolean result = info.statusCode() >= 200 && info.statusCode() < 300;
        long announced = info.headers().firstValueAsLong("content-length").orElse(-1);
        Reader created = result
                ? new Reader(limit, true, announced > limit)
                : new Reader(ERROR_BODY_BYTES, false, false);
        reader = created;
        IOException before = aborted;
        if (before != null) {
            created.abort(before);
        }
        return created;
    }

    /**
     * Fails the body with {@code reason}: at once if it is being read (the connection is closed), or as soon as it
     * begins if the headers have not come yet.
     */
    void abort(IOException reason) {
        // Set before reading the reader, as apply sets the reader before reading this: one of the two sees the
        // other's write (both volatile), so a body that begins meanwhile is failed all the same.
        aborted = reason;
        Reader current = reader;
        if (current != null) {
            current.abort(reason);
        }
    }

    /** Collects the body's bytes up to the limit. */
    static final class Reader implements HttpResponse.BodySubscriber<byte[]> {
        private final int limit;
        /** Over the limit: fail ({@link TooLarge}), or keep the first {@code limit} bytes and stop. */
        private final boolean failOverLimit;
        private final boolean announcedTooLarge;
        private final CompletableFuture<byte[]> body = new CompletableFuture<>();
        private final List<byte[]> parts = new ArrayList<>();
        private int size;
        private volatile Flow.Subscription subscription;

        Reader(int limit, boolean failOverLimit, boolean announcedTooLarge) {
            this.limit = limit;
            this.failOverLimit = failOverLimit;
            this.announcedTooLarge = announcedTooLarge;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            if (announcedTooLarge) {
                fail(new TooLarge(limit));
                return;
            }
            if (body.isDone()) {
                subscription.cancel(); // aborted before the body began
                return;
            }
            subscription.request(1);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (body.isDone()) {
                return;
            }
            for (ByteBuffer buffer : buffers) {
                int room = limit - size;
                if (buffer.remaining() > room) {
                    if (failOverLimit) {
                        fail(new TooLarge(limit));
                    } else {
                        append(buffer, room);
                        subscription.cancel();
                        body.complete(assemble());
                    }
                    return;
                }
                append(buffer, buffer.remaining());
            }
            subscription.request(1);
        }

        private void append(ByteBuffer buffer, int length) {
            byte[] part = new byte[length];
            buffer.get(part);
            parts.add(part);
            size += length;
        }

        private byte[] assemble() {
            byte[] all = new byte[size];
            int at = 0;
            for (byte[] part : parts) {
                System.arraycopy(part, 0, all, at, part.length);
                at += part.length;
            }
            parts.clear();
            return all;
        }

        @Override
        public void onError(Throwable error) {
            parts.clear();
            body.completeExceptionally(error);
        }

        @Override
        public void onComplete() {
            if (!body.isDone()) {
                body.complete(assemble());
            }
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return body;
        }

        void abort(IOException reason) {
            fail(reason);
        }

        private void fail(IOException reason) {
            if (body.completeExceptionally(reason)) {
                Flow.Subscription current = subscription;
                if (current != null) {
                    current.cancel();
                }
            }
        }
    }
}

package dev.ferry.dispatcher;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.util.concurrent.Flow;
import java.util.function.BooleanSupplier;
import okhttp3.MediaType;
import okhttp3.RequestBody;
import okio.BufferedSink;

/**
 * A request body that asks, at the last moment before the HTTP client writes it, whether the attempt may still be
 * sent. The dispatcher asks the same before it calls, but a process can stop (SIGSTOP, a long GC pause, a starved
 * machine) anywhere between that check and the socket: it stood still for seconds with the attempt's lease unrenewed,
 * the processor gave the attempt up and ran a newer one, and a client got the answer; then the stale attempt reached
 * the service after all (the fault harness saw exactly that, as {@code reexecuted-completed}). The check
 * sits where the client pulls the body, microseconds before the write, so the window left is that short.
 *
 * <p>A service that starts its handler on the request's headers (before reading the body) may still see the start
 * of a request it never gets the body of; the connection is then closed.
 */
final class GatedBody {
    private GatedBody() {}

    /** The attempt was not sent: its dispatcher stood still after taking it (see {@link GatedBody}). */
    static final class Withheld extends IOException {
        Withheld() {
            super("the attempt was not sent: this dispatcher stood still after taking it, and its lease may have"
                    + " lapsed meanwhile");
        }
    }

    /** Whether {@code error}, or one of its causes, is a body withheld by its gate. */
    static boolean withheld(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof Withheld) {
                return true;
            }
        }
        return false;
    }

    /** For the JDK's client: {@code body}, published only when {@code maySend} says so when it is asked for. */
    static HttpRequest.BodyPublisher publisher(byte[] body, BooleanSupplier maySend) {
        return new HttpRequest.BodyPublisher() {
            @Override
            public long contentLength() {
                return body.length;
            }

            @Override
            public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
                subscriber.onSubscribe(new Flow.Subscription() {
                    private boolean done;

                    @Override
                    public void request(long n) {
                        synchronized (this) {
                            if (done) {
                                return;
                            }
                            done = true;
                        }
                        if (n <= 0) {
                            subscriber.onError(new IllegalArgumentException("request(" + n + ")"));
                        } else if (!maySend.getAsBoolean()) {
                            subscriber.onError(new Withheld());
                        } else {
                            if (body.length > 0) {
                                subscriber.onNext(ByteBuffer.wrap(body));
                            }
                            subscriber.onComplete();
                        }
                    }

                    @Override
                    public synchronized void cancel() {
                        done = true;
                    }
                });
            }
        };
    }

    /** For OkHttp: {@code body} of {@code type}, written only when {@code maySend} says so at that moment. */
    static RequestBody okHttp(byte[] body, MediaType type, BooleanSupplier maySend) {
        return new RequestBody() {
            @Override
            public MediaType contentType() {
                return type;
            }

            @Override
            public long contentLength() {
                return body.length;
            }

            /** Never sent twice: OkHttp would retry a failed write on a new connection, asking again. */
            @Override
            public boolean isOneShot() {
                return true;
            }

            @Override
            public void writeTo(BufferedSink sink) throws IOException {
                if (!maySend.getAsBoolean()) {
                    throw new Withheld();
                }
                sink.write(body);
            }
        };
    }
}

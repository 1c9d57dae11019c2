package dev.ferry.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class BoundedWaitsTest {
    private static final long SECOND = Duration.ofSeconds(1).toNanos();

    @Test
    void answersWithTheValueThatComesInTime() throws Exception {
        CompletableFuture<String> future = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> future.complete("answer"));

        assertThat(BoundedWaits.await(future, 10 * SECOND)).isEqualTo("answer");
    }

    @Test
    void answersNullWhenTheTimeIsUpAndLeavesTheFutureOpen() throws Exception {
        CompletableFuture<String> future = new CompletableFuture<>();
        long started = System.nanoTime();

        assertThat(BoundedWaits.await(future, Duration.ofMillis(50).toNanos())).isNull();
        assertThat(System.nanoTime() - started).isGreaterThanOrEqualTo(Duration.ofMillis(50).toNanos());
        assertThat(future).isNotDone();
        future.complete("late");
        assertThat(BoundedWaits.await(future, 0)).isEqualTo("late");
    }

    @Test
    void noTimeLeftAnswersWithoutWaiting() throws Exception {
        assertThat(BoundedWaits.await(new CompletableFuture<String>(), 0)).isNull();
        assertThat(BoundedWaits.await(new CompletableFuture<String>(), -5)).isNull();
    }

    @Test
    void failuresAndCancellationsReachTheCallerAsFromGet() {
        CompletableFuture<String> failing = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> failing.completeExceptionally(new IllegalStateException("broken")));
        assertThatThrownBy(() -> BoundedWaits.await(failing, 10 * SECOND))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(IllegalStateException.class).hasMessage("broken");

        CompletableFuture<String> cancelled = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> cancelled.cancel(false));
        assertThatThrownBy(() -> BoundedWaits.await(cancelled, 10 * SECOND))
                .isInstanceOf(CancellationException.class);
    }

    @Test
    void anInterruptEndsTheWait() throws Exception {
        CompletableFuture<String> never = new CompletableFuture<>();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread waiter = Thread.ofVirtual().start(() -> {
            try {
                BoundedWaits.await(never, 60 * SECOND);
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        waiter.interrupt();
        waiter.join(Duration.ofSeconds(10));

        assertThat(waiter.isAlive()).isFalse();
        assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
    }
}

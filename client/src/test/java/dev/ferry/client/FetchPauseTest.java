package dev.ferry.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A poll loop's pause after a fetch that only confirmed records taken in memory: a record the hand-over left to the
 * poll loop (it was busy with a fetch) must not wait for the pause to end; the pause grows while fetches only
 * confirm, and is short again after one that brought a record from elsewhere.
 */
class FetchPauseTest {
    private static final Duration LONG = Duration.ofMinutes(5);

    @Test
    void anAttemptLeftToThePollLoopEndsItsPauseAtOnce() throws Exception {
        FetchPause pause = new FetchPause(LONG, LONG);
        Thread pollLoop = pausing(pause);

        pause.leftToPollLoop();

        assertEnds(pollLoop);
    }

    @Test
    void noPauseAfterAnAttemptWasLeftSinceTheFetchBegan() throws Exception {
        FetchPause pause = new FetchPause(LONG, LONG);
        pause.fetching();
        pause.leftToPollLoop(); // while the poll loop was busy with its fetch

        assertThat(CompletableFuture.runAsync(pause::pause)).succeedsWithin(Duration.ofSeconds(10));
    }

    @Test
    void theNextFetchTakesWhatWasLeftSoThePauseAfterItHolds() {
        FetchPause pause = new FetchPause(Duration.ofMillis(200), Duration.ofMillis(200));
        pause.leftToPollLoop();
        pause.fetching(); // brings the attempt left to the poll loop

        long start = System.nanoTime();
        pause.pause();

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
    }

    @Test
    void thePauseDoublesWhileFetchesOnlyConfirmUpToTheLongest() {
        FetchPause pause = new FetchPause(Duration.ofMillis(1), Duration.ofMillis(5));
        assertThat(pause.next()).isEqualTo(Duration.ofMillis(1));

        pause.fetching();
        pause.pause();
        assertThat(pause.next()).isEqualTo(Duration.ofMillis(2));
        pause.fetching();
        pause.pause();
        assertThat(pause.next()).isEqualTo(Duration.ofMillis(4));
        pause.fetching();
        pause.pause();
        assertThat(pause.next()).isEqualTo(Duration.ofMillis(5));
    }

    @Test
    void aFetchThatBroughtOthersOrARecordLeftToThePollLoopMakesThePauseShortAgain() {
        FetchPause pause = new FetchPause(Duration.ofMillis(1), Duration.ofMillis(8));
        pause.fetching();
        pause.pause();
        pause.fetching();
        pause.pause();
        assertThat(pause.next()).isEqualTo(Duration.ofMillis(4));

        pause.fetchedOthers();
        assertThat(pause.next()).isEqualTo(Duration.ofMillis(1));

        pause.fetching();
        pause.pause();
        assertThat(pause.next()).isEqualTo(Duration.ofMillis(2));
        pause.fetching();
        pause.leftToPollLoop();
        pause.pause();
        assertThat(pause.next()).isEqualTo(Duration.ofMillis(1));
    }

    @Test
    void anInterruptEndsThePause() throws Exception {
        Thread pollLoop = pausing(new FetchPause(LONG, LONG));

        pollLoop.interrupt();

        assertEnds(pollLoop);
    }

    /** A poll loop in its pause, after a fetch. */
    private static Thread pausing(FetchPause pause) {
        pause.fetching();
        Thread pollLoop = Thread.ofPlatform().name("poll-loop").start(pause::pause);
        await().atMost(Duration.ofSeconds(10)).until(() -> pollLoop.getState() == Thread.State.TIMED_WAITING);
        return pollLoop;
    }

    private static void assertEnds(Thread pollLoop) throws InterruptedException {
        pollLoop.join(Duration.ofSeconds(10));
        assertThat(pollLoop.isAlive()).as("the pause ended").isFalse();
    }
}

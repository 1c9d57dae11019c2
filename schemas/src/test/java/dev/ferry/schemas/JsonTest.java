package dev.ferry.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void virtualThreadsReuseJacksonBuffersInsteadOfAllocatingTheirOwn() throws Exception {
        try (ExecutorService perTask = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 20; i++) {
                byte[] written = perTask.submit(() -> Json.write(Map.of("name", "Mary"))).get();
                assertThat(new String(written, StandardCharsets.UTF_8))
                        .isEqualTo("{\"name\":\"Mary\"}");
            }
        }

        // A thread-local pool (Jackson's default) pools nothing a virtual thread can hand on: it reports -1.
        assertThat(Json.MAPPER.getFactory()._getRecyclerPool()).isSameAs(Json.BUFFERS);
        assertThat(Json.BUFFERS.pooledCount()).isBetween(1, Math.max(8, 4 * Runtime.getRuntime().availableProcessors()));
    }

    @Test
    void bodiesAreReadThroughTheSamePool() {
        assertThat(Json.BODY_FACTORY._getRecyclerPool()).isSameAs(Json.BUFFERS);
    }
}

package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.schemas.Json;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Crashes in the middle of a journal, with Ferry's roles in separate processes on one broker, killed with SIGKILL,
 * and services written with Restate's real TypeScript SDK: the invocation resumes from its journal, a {@code ctx.run}
 * whose result was journaled does not run again, and object state changes exactly once per call.
 */
class SdkCrashIT {
    private static final Duration STARTUP = Duration.ofSeconds(60);

    private static SdkService registered(FerryHarness ferry) {
        SdkService.kit();
        SdkService sdk = SdkService.start("features.cjs", SdkService.Transport.HTTP_1_1);
        Http.Response response = ferry.admin().postJson("/deployments", "{\"uri\":\"" + sdk.uri() + "\"}");
        assertThat(response.status()).as(response + " / SDK log: " + sdk.output()).isEqualTo(201);
        return sdk;
    }

    private static JsonNode counts(FerryHarness ferry) throws IOException {
        Http.Response response = ferry.ingress().postJson("/Features/counts", "");
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return Json.MAPPER.readTree(response.body());
    }

    private static int count(JsonNode counts, String name) {
        JsonNode count = counts.get(name);
        return count == null ? 0 : count.asInt();
    }

    @Test
    void aDispatcherKilledMidJournalResumesWithoutRunningAJournaledStepAgain() throws Exception {
        try (FerryHarness ferry = FerryHarness.onSharedKafka().with("FERRY_ROLES", "ingress,processor").start();
                SdkService sdk = registered(ferry)) {
            FerryProcess first = FerryProcess.start("dispatcher-1", ferry.roleEnv("dispatcher"))
                    .awaitLog(FerryProcess.STARTED, STARTUP);
            try (FerryProcess ignored = first) {
                CompletableFuture<Http.Response> call =
                        ferry.ingress().postJsonAsync("/Features/steps", "\"d\"");
                // The first step is journaled (the slow one starts only on the attempt after it): kill the dispatcher
                // while the slow step runs.
                await().atMost(Duration.ofSeconds(30)).until(() -> count(counts(ferry), "steps:d:slow") == 1);
                first.kill();

                try (FerryProcess second = FerryProcess.start("dispatcher-2", ferry.roleEnv("dispatcher"))
                        .awaitLog(FerryProcess.STARTED, STARTUP)) {
                    Http.Response response = call.get();
                    assertThat(response.status()).as(response.toString()).isEqualTo(200);
                    assertThat(response.body()).isEqualTo("3");
                    JsonNode counts = counts(ferry);
                    assertThat(count(counts, "steps:d:one")).as("the journaled step ran once").isEqualTo(1);
                    assertThat(count(counts, "steps:d:slow")).as("the step that was cut ran again").isEqualTo(2);
                }
            }
        }
    }

    @Test
    void aProcessorKilledMidLoadKeepsObjectStateAndSideEffectsExactlyOnce() throws Exception {
        try (FerryHarness ferry = FerryHarness.onSharedKafka().with("FERRY_ROLES", "ingress,dispatcher").start();
                SdkService sdk = registered(ferry)) {
            FerryProcess first = FerryProcess.start("processor-1", ferry.roleEnv("processor"))
                    .awaitLog("Processor state REBALANCING -> RUNNING", STARTUP);
            int count = 40;
            int keys = 4;
            List<String> ids = new ArrayList<>();
            try (FerryProcess ignored = first) {
                for (int i = 0; i < count; i++) {
                    Http.Response sent = ferry.ingress().postJson("/Tally/t-" + (i % keys) + "/add/send",
                            Integer.toString(i), "idempotency-key", "tally-" + i);
                    assertThat(sent.status()).as(sent.toString()).isEqualTo(202);
                    ids.add(sent.header("x-restate-id"));
                }
                await().atMost(Duration.ofSeconds(60)).until(() -> sideEffects(ferry, count, keys) >= count / 3);
                first.kill();
            }

            try (FerryProcess second = FerryProcess.start("processor-2", ferry.roleEnv("processor"))
                    .awaitLog("Processor state REBALANCING -> RUNNING", STARTUP)) {
                Map<String, String> results = new LinkedHashMap<>();
                for (String id : ids) {
                    Http.Response attached = ferry.ingress().get("/restate/invocation/" + id + "/attach");
                    assertThat(attached.status()).as(attached.toString()).isEqualTo(200);
                    results.put(id, attached.body());
                }
                JsonNode counts = counts(ferry);
                for (int i = 0; i < count; i++) {
                    assertThat(count(counts, "tally:t-" + (i % keys) + ":" + i))
                            .as("the side effect of add %d", i).isEqualTo(1);
                }
                for (int key = 0; key < keys; key++) {
                    List<Integer> totals = new ArrayList<>();
                    for (int i = key; i < count; i += keys) {
                        totals.add(Integer.parseInt(results.get(ids.get(i))));
                    }
                    assertThat(totals).as("each add of t-%d saw its own running total", key)
                            .doesNotHaveDuplicates().allMatch(total -> total >= 1 && total <= count / keys);
                    Http.Response total = ferry.ingress().postJson("/Tally/t-" + key + "/total", "");
                    assertThat(total.body()).as("the total of t-%d", key).isEqualTo(Integer.toString(count / keys));
                }
            }
        }
    }

    private static int sideEffects(FerryHarness ferry, int count, int keys) throws IOException {
        JsonNode counts = counts(ferry);
        int done = 0;
        for (int i = 0; i < count; i++) {
            done += count(counts, "tally:t-" + (i % keys) + ":" + i) > 0 ? 1 : 0;
        }
        return done;
    }
}

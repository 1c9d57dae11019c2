package dev.ferry.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.schemas.Json;
import dev.ferry.schemas.deployments.ServiceType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The operator's changes as stored on the deployments topic: records written before the table read the same. */
class ServiceOverridesTest {
    /** Every field set, as the record that held the changes before the table wrote it. */
    private static final String EVERY_FIELD = "{\"name\":\"Signup\",\"idempotencyRetentionMillis\":3600000,"
            + "\"journalRetentionMillis\":60000,\"workflowCompletionRetentionMillis\":259200000,"
            + "\"rejectChangedRequests\":true,\"maxWaitMillis\":1500,\"inactivityTimeoutMillis\":90000,"
            + "\"retryPolicy\":{\"initialIntervalMillis\":100,\"exponentiationFactor\":2.5,\"maxIntervalMillis\":999,"
            + "\"maxAttempts\":3,\"onMaxAttempts\":\"KILL\"},\"publishResults\":true,\"deadLetterFailures\":false,"
            + "\"validateInput\":false}";

    @ParameterizedTest
    @ValueSource(strings = {
        EVERY_FIELD,
        "{\"name\":\"Obj\",\"journalRetentionMillis\":60000,\"workflowCompletionRetentionMillis\":259200000,"
                + "\"rejectChangedRequests\":false,\"maxWaitMillis\":1500,\"inactivityTimeoutMillis\":90000,"
                + "\"retryPolicy\":{\"maxAttempts\":3,\"onMaxAttempts\":\"KILL\"},\"publishResults\":true,"
                + "\"validateInput\":false}",
        "{\"name\":\"Flow\",\"idempotencyRetentionMillis\":1,\"rejectChangedRequests\":true,"
                + "\"retryPolicy\":{\"exponentiationFactor\":3.0,\"maxIntervalMillis\":999},"
                + "\"deadLetterFailures\":true}",
        "{\"name\":\"Plain\",\"retryPolicy\":{}}",
        "{\"name\":\"N\"}"})
    void aRecordWrittenBeforeTheTableIsReadAndWrittenAgainByteForByte(String stored) throws IOException {
        ServiceOverrides read = Json.read(stored.getBytes(StandardCharsets.UTF_8), ServiceOverrides.class);
        assertThat(Json.writeString(read)).isEqualTo(stored);
    }

    @Test
    void everyStoredFieldReadsAsItsSetting() throws IOException {
        ServiceOverrides read = Json.read(EVERY_FIELD.getBytes(StandardCharsets.UTF_8), ServiceOverrides.class);
        assertThat(read.name()).isEqualTo("Signup");
        assertThat(read.key()).isEqualTo("service/Signup");
        assertThat(read.get(ServiceSetting.IDEMPOTENCY_RETENTION)).isEqualTo(3_600_000L);
        assertThat(read.get(ServiceSetting.JOURNAL_RETENTION)).isEqualTo(60_000L);
        assertThat(read.get(ServiceSetting.WORKFLOW_COMPLETION_RETENTION)).isEqualTo(259_200_000L);
        assertThat(read.get(ServiceSetting.REJECT_CHANGED_REQUESTS)).isTrue();
        assertThat(read.get(ServiceSetting.MAX_WAIT)).isEqualTo(1_500L);
        assertThat(read.get(ServiceSetting.INACTIVITY_TIMEOUT)).isEqualTo(90_000L);
        PartialRetryPolicy retry = read.get(ServiceSetting.RETRY_POLICY);
        assertThat(retry).isEqualTo(new PartialRetryPolicy(100L, 2.5, 999L, 3, "KILL"));
        assertThat(read.get(ServiceSetting.PUBLISH_RESULTS)).isTrue();
        assertThat(read.get(ServiceSetting.DEAD_LETTER_FAILURES)).isFalse();
        assertThat(read.get(ServiceSetting.VALIDATE_INPUT)).isFalse();
    }

    @Test
    void aPatchIsStoredAsBefore() {
        ServiceOverrides patched = ServiceOverrides.none("Signup").changedBy(ServiceSettingTest.json("{"
                + "\"validate_input\":false,\"publish_results\":true,\"retry_policy\":{\"on_max_attempts\":\"Kill\","
                + "\"max_attempts\":3,\"max_interval\":\"999ms\",\"exponentiation_factor\":2.5,"
                + "\"initial_interval\":\"100ms\"},\"inactivity_timeout\":\"90s\",\"max_wait\":\"1500ms\","
                + "\"reject_changed_requests\":true,\"workflow_completion_retention\":\"3d\","
                + "\"journal_retention\":\"1m\",\"idempotency_retention\":\"1h\",\"dead_letter_failures\":false}"),
                Manifests.service("Signup", ServiceType.WORKFLOW));
        assertThat(Json.writeString(patched)).isEqualTo(EVERY_FIELD);
    }

    @Test
    void fieldsThisVersionDoesNotKnowAreIgnored() throws IOException {
        ServiceOverrides read = Json.read("{\"name\":\"N\",\"maxWaitMillis\":5,\"comingSoon\":true}"
                .getBytes(StandardCharsets.UTF_8), ServiceOverrides.class);
        assertThat(read).isEqualTo(ServiceOverrides.none("N").with(ServiceSetting.MAX_WAIT, 5L));
    }

    @Test
    void aFieldOfTheWrongTypeFailsTheRecord() {
        assertThatThrownBy(() -> Json.read("{\"name\":\"N\",\"maxWaitMillis\":{\"a\":1}}"
                .getBytes(StandardCharsets.UTF_8), ServiceOverrides.class))
                .isInstanceOf(IOException.class);
    }

    @Test
    void onlyChangeableSettingsAreStored() {
        assertThatThrownBy(() -> ServiceOverrides.none("N").with(ServiceSetting.ABORT_TIMEOUT, 5L))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("abort_timeout cannot be changed by operators");
    }
}

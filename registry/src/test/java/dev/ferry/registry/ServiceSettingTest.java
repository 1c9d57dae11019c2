package dev.ferry.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.registry.ServiceOverrides.InvalidChange;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.deployments.RetryPolicy;
import dev.ferry.schemas.deployments.ServiceManifest;
import dev.ferry.schemas.deployments.ServiceType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The table of per-service settings: names, PATCH values and their answers, and the service view. */
class ServiceSettingTest {
    private static final ServiceManifest GREETER = Manifests.service("Greeter", ServiceType.SERVICE);
    private static final ServiceManifest COUNTER = Manifests.service("Counter", ServiceType.VIRTUAL_OBJECT);
    private static final ServiceManifest SIGNUP = Manifests.service("Signup", ServiceType.WORKFLOW);

    @Test
    void theViewShowsEverySettingInRestatesOrderThenFerrysOwn() {
        assertThat(ServiceSetting.ALL).extracting(ServiceSetting::name).containsExactly(
                "idempotency_retention", "workflow_completion_retention", "journal_retention", "inactivity_timeout",
                "abort_timeout", "enable_lazy_state", "retry_policy", "publish_results", "dead_letter_failures",
                "validate_input", "reject_changed_requests", "max_wait");
    }

    @Test
    void operatorsMayChangeTheSettingsTheUnknownSettingAnswerLists() {
        assertThat(ServiceSetting.CHANGEABLE).extracting(ServiceSetting::name).containsExactly(
                "idempotency_retention", "journal_retention", "workflow_completion_retention", "inactivity_timeout",
                "retry_policy", "max_wait", "reject_changed_requests", "publish_results", "dead_letter_failures",
                "validate_input");
        assertThat(ServiceSetting.ALL.stream().filter(ServiceSetting::changeable).toList())
                .containsExactlyInAnyOrderElementsOf(ServiceSetting.CHANGEABLE);
        assertThat(ServiceSetting.STORED_ORDER).containsExactlyInAnyOrderElementsOf(ServiceSetting.CHANGEABLE);
        assertThat(ServiceSetting.ABORT_TIMEOUT.changeable()).isFalse();
        assertThat(ServiceSetting.ENABLE_LAZY_STATE.changeable()).isFalse();
    }

    @Test
    void anUnknownSettingIsRefusedListingTheKnownOnes() {
        assertThatThrownBy(() -> patch(GREETER, "{\"retention\":\"1d\"}"))
                .isInstanceOf(InvalidChange.class)
                .hasMessage("unknown setting 'retention'; known: idempotency_retention, journal_retention, "
                        + "workflow_completion_retention, inactivity_timeout, retry_policy, max_wait, "
                        + "reject_changed_requests, publish_results, dead_letter_failures, validate_input");
        assertThatThrownBy(() -> patch(GREETER, "{\"abort_timeout\":\"1m\"}"))
                .hasMessageStartingWith("unknown setting 'abort_timeout'; known: ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"idempotency_retention", "journal_retention", "inactivity_timeout", "max_wait"})
    void aDurationIsTextAndNullReturnsToTheDefault(String name) {
        assertThat(patch(GREETER, "{\"" + name + "\":\"1h 30m\"}").get(durationSetting(name)))
                .isEqualTo(5_400_000L);
        assertThat(patch(GREETER, "{\"" + name + "\":\"PT1H\"}").get(durationSetting(name))).isEqualTo(3_600_000L);
        assertThat(patch(GREETER, "{\"" + name + "\":\"0\"}").get(durationSetting(name))).isZero();
        ServiceOverrides set = patch(GREETER, "{\"" + name + "\":\"1d\"}");
        assertThat(set.changedBy(json("{\"" + name + "\":null}"), GREETER)).isEqualTo(ServiceOverrides.none("Greeter"));

        assertThatThrownBy(() -> patch(GREETER, "{\"" + name + "\":5}"))
                .hasMessage(name + " must be a duration such as \"1d\", \"30m\" or \"PT1H\"");
        assertThatThrownBy(() -> patch(GREETER, "{\"" + name + "\":\"-1s\"}"))
                .hasMessage("invalid " + name + ": negative signed durations cannot be converted to an unsigned "
                        + "duration");
        assertThatThrownBy(() -> patch(GREETER, "{\"" + name + "\":\"106751991167d\"}"))
                .hasMessage("invalid " + name + ": invalid duration '106751991167d': longer than 36500d (100 years),"
                        + " the largest Ferry accepts");
    }

    @ParameterizedTest
    @ValueSource(strings = {"reject_changed_requests", "publish_results", "dead_letter_failures", "validate_input"})
    void aFlagIsTrueFalseOrNull(String name) {
        ServiceSetting<?, ?> setting = ServiceSetting.changeableNamed(name).orElseThrow();
        assertThat(patch(GREETER, "{\"" + name + "\":true}").get(setting)).isEqualTo(true);
        assertThat(patch(GREETER, "{\"" + name + "\":false}").get(setting)).isEqualTo(false);
        assertThat(patch(GREETER, "{\"" + name + "\":null}").get(setting)).isNull();
        assertThatThrownBy(() -> patch(GREETER, "{\"" + name + "\":\"true\"}"))
                .isInstanceOf(InvalidChange.class)
                .hasMessage(name + " must be true, false or null");
    }

    @Test
    void theWorkflowRetentionAppliesToWorkflowsOnly() {
        assertThat(patch(SIGNUP, "{\"workflow_completion_retention\":\"2d\"}")
                .get(ServiceSetting.WORKFLOW_COMPLETION_RETENTION)).isEqualTo(172_800_000L);
        assertThatThrownBy(() -> patch(COUNTER, "{\"workflow_completion_retention\":\"2d\"}"))
                .hasMessage("workflow_completion_retention applies to workflows only, and Counter is a "
                        + "VirtualObject");
        // Refused for its service before its value is read.
        assertThatThrownBy(() -> patch(GREETER, "{\"workflow_completion_retention\":5}"))
                .hasMessage("workflow_completion_retention applies to workflows only, and Greeter is a Service");
    }

    @Test
    void aRetryPolicyChangesTheFieldsItNamesAndKeepsTheOthers() {
        ServiceOverrides first = patch(GREETER, "{\"retry_policy\":{\"initial_interval\":\"100ms\","
                + "\"exponentiation_factor\":3,\"max_interval\":\"2s\",\"max_attempts\":5,"
                + "\"on_max_attempts\":\"kill\"}}");
        assertThat(retryPolicy(first)).isEqualTo(new PartialRetryPolicy(100L, 3.0, 2_000L, 5, "KILL"));
        ServiceOverrides second = first.changedBy(json("{\"retry_policy\":{\"max_attempts\":null,"
                + "\"on_max_attempts\":\"Pause\"}}"), GREETER);
        assertThat(retryPolicy(second)).isEqualTo(new PartialRetryPolicy(100L, 3.0, 2_000L, null, "PAUSE"));
        assertThat(retryPolicy(second.changedBy(json("{\"retry_policy\":null}"), GREETER))).isNull();
    }

    @Test
    void aRetryPolicyRefusesWhatItCannotUse() {
        assertThatThrownBy(() -> patch(GREETER, "{\"retry_policy\":5}"))
                .hasMessage("retry_policy must be an object with initial_interval, exponentiation_factor, "
                        + "max_interval, max_attempts and on_max_attempts");
        assertThatThrownBy(() -> patch(GREETER, "{\"retry_policy\":{\"max_interval\":\"5300w\"}}"))
                .hasMessage("invalid retry_policy.max_interval: invalid duration '5300w': longer than 36500d "
                        + "(100 years), the largest Ferry accepts");
        assertThatThrownBy(() -> patch(GREETER, "{\"retry_policy\":{\"initial_interval\":5}}"))
                .hasMessage("retry_policy.initial_interval must be a duration such as \"1d\", \"30m\" or \"PT1H\"");
        assertThatThrownBy(() -> patch(GREETER, "{\"retry_policy\":{\"exponentiation_factor\":1e400}}"))
                .hasMessage("retry_policy.exponentiation_factor must be a finite number >= 1, got 1E+400");
        assertThatThrownBy(() -> patch(GREETER, "{\"retry_policy\":{\"exponentiation_factor\":0.5}}"))
                .hasMessage("retry_policy.exponentiation_factor must be a finite number >= 1, got 0.5");
        assertThatThrownBy(() -> patch(GREETER, "{\"retry_policy\":{\"max_attempts\":99999999999}}"))
                .hasMessage("retry_policy.max_attempts must be a whole number >= 1");
        assertThatThrownBy(() -> patch(GREETER, "{\"retry_policy\":{\"max_attempts\":0}}"))
                .hasMessage("retry_policy.max_attempts must be a whole number >= 1");
        assertThatThrownBy(() -> patch(GREETER, "{\"retry_policy\":{\"on_max_attempts\":\"Stop\"}}"))
                .hasMessage("retry_policy.on_max_attempts must be Pause or Kill");
        assertThatThrownBy(() -> patch(GREETER, "{\"retry_policy\":{\"max_attempts\":2,\"foo\":1}}"))
                .hasMessage("unknown retry_policy field 'foo'");
    }

    @Test
    void aPatchThatFailsPartWayChangesNothing() {
        ServiceOverrides before = patch(GREETER, "{\"max_wait\":\"1s\"}");
        assertThatThrownBy(() -> before.changedBy(json("{\"max_wait\":\"2s\",\"publish_results\":1}"), GREETER))
                .isInstanceOf(InvalidChange.class);
        assertThat(before.get(ServiceSetting.MAX_WAIT)).isEqualTo(1_000L);
    }

    @Test
    void theViewOfTheDefaults() {
        assertThat(view(ServiceSettings.DEFAULTS, ServiceType.SERVICE)).isEqualTo("{"
                + "\"idempotency_retention\":\"1d\",\"journal_retention\":\"1d\",\"inactivity_timeout\":\"1m\","
                + "\"abort_timeout\":\"10m\",\"enable_lazy_state\":false,\"retry_policy\":{\"initial_interval\":"
                + "\"500ms\",\"exponentiation_factor\":2.0,\"max_attempts\":70,\"max_interval\":\"1m\","
                + "\"on_max_attempts\":\"Pause\"},\"publish_results\":false,\"dead_letter_failures\":false,"
                + "\"validate_input\":true}");
        assertThat(view(ServiceSettings.DEFAULTS, ServiceType.WORKFLOW))
                .startsWith("{\"idempotency_retention\":\"1d\",\"workflow_completion_retention\":\"1d\","
                        + "\"journal_retention\":\"1d\",");
    }

    @Test
    void theViewShowsFerrysOwnOptionalSettingsOnlyOnceSet() {
        ServiceOverrides overrides = patch(COUNTER, "{\"journal_retention\":\"1m\",\"inactivity_timeout\":\"90s\","
                + "\"retry_policy\":{\"max_attempts\":3,\"on_max_attempts\":\"Kill\"},\"publish_results\":true,"
                + "\"validate_input\":false,\"reject_changed_requests\":false,\"max_wait\":\"1500ms\"}");
        ServiceSettings settings = ServiceSettings.DEFAULTS.overriddenBy(COUNTER, null, overrides);
        assertThat(view(settings, ServiceType.VIRTUAL_OBJECT)).isEqualTo("{"
                + "\"idempotency_retention\":\"1d\",\"journal_retention\":\"1m\",\"inactivity_timeout\":\"1m 30s\","
                + "\"abort_timeout\":\"10m\",\"enable_lazy_state\":false,\"retry_policy\":{\"initial_interval\":"
                + "\"500ms\",\"exponentiation_factor\":2.0,\"max_attempts\":3,\"max_interval\":\"1m\","
                + "\"on_max_attempts\":\"Kill\"},\"publish_results\":true,\"dead_letter_failures\":false,"
                + "\"validate_input\":false,\"reject_changed_requests\":false,\"max_wait\":\"1s 500ms\"}");
        assertThat(settings.rejectChangedRequests()).isFalse();
        assertThat(settings.maxWait()).isEqualTo(Duration.ofMillis(1_500));
    }

    @Test
    void aRetryPolicyWithNoAttemptLimitShowsNull() {
        ServiceSettings unlimited = ServiceSettings.DEFAULTS.with(ServiceSetting.RETRY_POLICY,
                new RetryPolicy(Duration.ofMillis(500), 2.0, Duration.ofMinutes(1), null,
                        RetryPolicy.OnMaxAttempts.PAUSE));
        assertThat(json(view(unlimited, ServiceType.SERVICE)).get("retry_policy").get("max_attempts").isNull())
                .isTrue();
    }

    @Test
    void everySettingIsShownAsItsOwnValue() {
        for (ServiceSetting<?, ?> setting : ServiceSetting.ALL) {
            assertThat(json(view(ServiceSettings.DEFAULTS, ServiceType.WORKFLOW)).has(setting.name()))
                    .as(setting.name())
                    .isEqualTo(setting.ferryDefault() != null);
        }
    }

    private static PartialRetryPolicy retryPolicy(ServiceOverrides overrides) {
        return overrides.get(ServiceSetting.RETRY_POLICY);
    }

    private static ServiceSetting<?, Long> durationSetting(String name) {
        return List.of(ServiceSetting.IDEMPOTENCY_RETENTION, ServiceSetting.JOURNAL_RETENTION,
                        ServiceSetting.INACTIVITY_TIMEOUT, ServiceSetting.MAX_WAIT).stream()
                .filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    static ServiceOverrides patch(ServiceManifest service, String body) {
        return ServiceOverrides.none(service.name()).changedBy(json(body), service);
    }

    static String view(ServiceSettings settings, ServiceType type) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        settings.writeView(node, type);
        return node.toString();
    }

    static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

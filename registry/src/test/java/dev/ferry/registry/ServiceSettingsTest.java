package dev.ferry.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.schemas.deployments.Deployment;
import dev.ferry.schemas.deployments.HandlerManifest;
import dev.ferry.schemas.deployments.RetryPolicy;
import dev.ferry.schemas.deployments.ServiceManifest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The value in force: Ferry's defaults, then the service's manifest, then the handler's, then the operator. */
class ServiceSettingsTest {
    private static final ServiceManifest SIGNUP = Manifests.service("""
            {"name":"Signup","ty":"WORKFLOW",
             "idempotencyRetention":3600000,"abortTimeout":120000,"enableLazyState":true,
             "retryPolicyInitialInterval":250,"retryPolicyMaxAttempts":12,"retryPolicyOnMaxAttempts":"Kill",
             "handlers":[
               {"name":"run","ty":"WORKFLOW","idempotencyRetention":7000,"abortTimeout":9000,
                "retryPolicyMaxAttempts":4},
               {"name":"status"}]}""");
    private static final HandlerManifest RUN = SIGNUP.handler("run");
    private static final ServiceOverrides CHANGED = ServiceOverrides.none("Signup")
            .with(ServiceSetting.IDEMPOTENCY_RETENTION, 1L)
            .with(ServiceSetting.RETRY_POLICY, new PartialRetryPolicy(null, 3.0, null, null, null))
            .with(ServiceSetting.MAX_WAIT, 30_000L);
    private static final ServiceSettings CONFIGURED = ServiceSettings.DEFAULTS
            .with(ServiceSetting.IDEMPOTENCY_RETENTION, Duration.ofDays(2))
            .with(ServiceSetting.PUBLISH_RESULTS, true);

    @Test
    void eachLayerTakesThePlaceOfTheOnesBefore() {
        ServiceSetting<Duration, Long> setting = ServiceSetting.IDEMPOTENCY_RETENTION;
        assertThat(CONFIGURED.overriddenBy(null, null, null).get(setting)).isEqualTo(Duration.ofDays(2));
        assertThat(CONFIGURED.overriddenBy(SIGNUP, null, null).get(setting)).isEqualTo(Duration.ofHours(1));
        assertThat(CONFIGURED.overriddenBy(SIGNUP, RUN, null).get(setting)).isEqualTo(Duration.ofSeconds(7));
        assertThat(CONFIGURED.overriddenBy(SIGNUP, RUN, CHANGED).get(setting)).isEqualTo(Duration.ofMillis(1));
        assertThat(CONFIGURED.overriddenBy(null, null, CHANGED).get(setting)).isEqualTo(Duration.ofMillis(1));
    }

    @Test
    void aLayerThatDeclaresNothingKeepsTheValueBeneath() {
        ServiceSettings service = CONFIGURED.overriddenBy(SIGNUP, null, null);
        assertThat(CONFIGURED.overriddenBy(SIGNUP, SIGNUP.handler("status"), ServiceOverrides.none("Signup")))
                .isEqualTo(service);
        assertThat(service.publishResults()).isTrue();
        assertThat(service.journalRetention()).isEqualTo(Duration.ofDays(1));
        assertThat(service.abortTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(service.get(ServiceSetting.ENABLE_LAZY_STATE)).isTrue();
        assertThat(service.maxWait()).isNull();
        assertThat(service.rejectChangedRequests()).isFalse();
    }

    @Test
    void aRetryPolicyIsLayeredFieldByField() {
        assertThat(CONFIGURED.overriddenBy(SIGNUP, RUN, CHANGED).retryPolicy()).isEqualTo(new RetryPolicy(
                Duration.ofMillis(250), 3.0, Duration.ofMinutes(1), 4, RetryPolicy.OnMaxAttempts.KILL));
        assertThat(CONFIGURED.overriddenBy(SIGNUP, null, CHANGED).retryPolicy()).isEqualTo(new RetryPolicy(
                Duration.ofMillis(250), 3.0, Duration.ofMinutes(1), 12, RetryPolicy.OnMaxAttempts.KILL));
        // At least one attempt, whatever a manifest says.
        ServiceOverrides none = ServiceOverrides.none("Signup")
                .with(ServiceSetting.RETRY_POLICY, new PartialRetryPolicy(null, null, null, 0, null));
        assertThat(CONFIGURED.overriddenBy(SIGNUP, RUN, none).retryPolicy().maxAttempts()).isEqualTo(1);
    }

    @Test
    void theRegistryResolvesAHandlerOfTheServiceItServes() {
        Registry registry = Registry.EMPTY
                .with(new Deployment("dp_1", "http://signup", 1L, 1, List.of(SIGNUP)), 0)
                .with(CHANGED);
        assertThat(registry.settings("Signup", "run", CONFIGURED))
                .isEqualTo(CONFIGURED.overriddenBy(SIGNUP, RUN, CHANGED));
        assertThat(registry.settings("Signup", CONFIGURED))
                .isEqualTo(CONFIGURED.overriddenBy(SIGNUP, null, CHANGED));
        assertThat(registry.settings("Signup", "unknown", CONFIGURED))
                .isEqualTo(CONFIGURED.overriddenBy(SIGNUP, null, CHANGED));
        assertThat(registry.settings("Signup", "run", CONFIGURED).maxWait()).isEqualTo(Duration.ofSeconds(30));
        // An operator's changes outlive the deployment that served the service.
        assertThat(registry.without("dp_1").settings("Signup", "run", CONFIGURED))
                .isEqualTo(CONFIGURED.overriddenBy(null, null, CHANGED));
    }

    @Test
    void theDefaultsAreFerrysOwn() {
        assertThat(ServiceSettings.DEFAULTS.idempotencyRetention()).isEqualTo(Duration.ofDays(1));
        assertThat(ServiceSettings.DEFAULTS.journalRetention()).isEqualTo(Duration.ofDays(1));
        assertThat(ServiceSettings.DEFAULTS.workflowCompletionRetention()).isEqualTo(Duration.ofDays(1));
        assertThat(ServiceSettings.DEFAULTS.inactivityTimeout()).isEqualTo(Duration.ofMinutes(1));
        assertThat(ServiceSettings.DEFAULTS.abortTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(ServiceSettings.DEFAULTS.retryPolicy()).isEqualTo(RetryPolicy.DEFAULT);
        assertThat(ServiceSettings.DEFAULTS.publishResults()).isFalse();
        assertThat(ServiceSettings.DEFAULTS.deadLetterFailures()).isFalse();
        assertThat(ServiceSettings.DEFAULTS.validateInput()).isTrue();
        assertThat(ServiceSettings.DEFAULTS.rejectChangedRequests()).isFalse();
        assertThat(ServiceSettings.DEFAULTS.maxWait()).isNull();
    }
}

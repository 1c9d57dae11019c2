package dev.ferry.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.schemas.deployments.Deployment;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class FixedRegistryViewTest {
    private static final Registry REGISTRY =
            Registry.EMPTY.with(new Deployment("dp_1" + "0".repeat(22), "http://localhost:9080", 0, 1, List.of()), 0);

    @Test
    void aFixedViewHoldsItsRegistryWithoutBeingStarted() {
        RegistryView view = RegistryView.fixed(REGISTRY);

        assertThat(view.registry()).isSameAs(REGISTRY);
        assertThat(view.following()).isTrue();
    }

    @Test
    void aFixedViewHasAppliedEverythingAlready() {
        RegistryView view = RegistryView.fixed(REGISTRY);

        assertThatCode(() -> view.awaitApplied(Long.MAX_VALUE, Duration.ZERO)).doesNotThrowAnyException();
    }

    @Test
    void aFixedViewCannotBeStartedAndClosesWithoutKafka() {
        RegistryView view = RegistryView.fixed(REGISTRY);

        assertThatThrownBy(() -> view.start(Duration.ofSeconds(1))).isInstanceOf(IllegalStateException.class);
        view.close();
        assertThat(view.following()).isFalse();
    }
}

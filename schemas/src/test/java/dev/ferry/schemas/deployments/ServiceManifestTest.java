package dev.ferry.schemas.deployments;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.schemas.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServiceManifestTest {
    @Test
    void aHandlerIsPublicUnlessItOrItsServiceSaysIngressPrivate() {
        HandlerManifest unmarked = handler("unmarked", null);
        HandlerManifest hidden = handler("hidden", true);
        HandlerManifest shown = handler("shown", false);
        ServiceManifest open = service(null, unmarked, hidden, shown);
        ServiceManifest closed = service(true, unmarked, hidden);

        assertThat(open.isPublic()).isTrue();
        assertThat(open.isPublic(unmarked)).isTrue();
        assertThat(open.isPublic(hidden)).isFalse();
        assertThat(open.isPublic(shown)).isTrue();
        assertThat(closed.isPublic()).isFalse();
        assertThat(closed.isPublic(unmarked)).as("a handler without its own flag takes the service's").isFalse();
        assertThat(closed.isPublic(hidden)).isFalse();
    }

    @Test
    void visibilityIsDerivedAndNotWrittenIntoTheManifestsJson() throws Exception {
        String json = Json.MAPPER.writeValueAsString(service(true, handler("h", null)));

        assertThat(json).contains("\"ingressPrivate\":true").doesNotContain("\"public\"");
    }

    private static ServiceManifest service(Boolean ingressPrivate, HandlerManifest... handlers) {
        return new ServiceManifest("S", null, ServiceType.SERVICE, List.of(handlers),
                null, null, null, null, null, null, ingressPrivate, null, null, null, null, null, null);
    }

    private static HandlerManifest handler(String name, Boolean ingressPrivate) {
        return new HandlerManifest(name, null, null, null, null,
                null, null, null, null, null, null, ingressPrivate, null, null, null, null, null, null);
    }
}

package dev.ferry.registry;

import static dev.ferry.registry.Manifests.handler;
import static dev.ferry.registry.Manifests.service;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.schemas.Target;
import dev.ferry.schemas.deployments.Deployment;
import dev.ferry.schemas.deployments.HandlerType;
import dev.ferry.schemas.deployments.ServiceType;
import java.util.List;
import org.junit.jupiter.api.Test;

class TargetsTest {
    private static final Registry REGISTRY = Registry.EMPTY.with(new Deployment(
                    "dp_1" + "0".repeat(22), "http://localhost:9080", 0, 1, List.of(
                            service("Greeter", ServiceType.SERVICE, handler("greet", null)),
                            service("Counter", ServiceType.VIRTUAL_OBJECT,
                                    handler("add", HandlerType.EXCLUSIVE), handler("get", HandlerType.SHARED)),
                            service("Signup", ServiceType.WORKFLOW,
                                    handler("run", HandlerType.WORKFLOW), handler("status", HandlerType.SHARED)))),
            0);

    @Test
    void aRegisteredHandlerResolvesWithTheTypesOfItsManifest() {
        assertThat(Targets.resolve(REGISTRY, "Counter", "get", "alice", null))
                .isInstanceOfSatisfying(Targets.Resolved.class, resolved -> assertThat(resolved.target()).isEqualTo(
                        new Target("Counter", ServiceType.VIRTUAL_OBJECT, "get", HandlerType.SHARED, "alice")));
        assertThat(Targets.resolve(REGISTRY, "Signup", "run", "wf-1", ServiceType.WORKFLOW))
                .isInstanceOfSatisfying(Targets.Resolved.class,
                        resolved -> assertThat(resolved.target().workflowRun()).isTrue());
        assertThat(Targets.resolve(REGISTRY, "Greeter", "greet", null, null))
                .isInstanceOfSatisfying(Targets.Resolved.class, resolved -> assertThat(resolved.target())
                        .isEqualTo(new Target("Greeter", ServiceType.SERVICE, "greet", null, null)));
    }

    @Test
    void eachWayOfMissingTheTargetIsSaidApart() {
        assertThat(Targets.resolve(REGISTRY, "Nope", "greet", null, null)).isInstanceOf(Targets.UnknownService.class);
        assertThat(Targets.resolve(REGISTRY, "Greeter", "nope", null, null))
                .isInstanceOf(Targets.UnknownHandler.class);
        assertThat(Targets.resolve(REGISTRY, "Greeter", "greet", null, ServiceType.VIRTUAL_OBJECT))
                .isInstanceOf(Targets.WrongServiceType.class);
        assertThat(Targets.resolve(REGISTRY, "Counter", "add", null, null)).isInstanceOf(Targets.KeyMissing.class);
        assertThat(Targets.resolve(REGISTRY, "Greeter", "greet", "k", null))
                .isInstanceOf(Targets.KeyNotExpected.class);
    }
}

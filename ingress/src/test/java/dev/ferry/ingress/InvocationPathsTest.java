package dev.ferry.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ferry.http.HttpError;
import dev.ferry.ingress.InvocationPaths.InvocationRequest;
import dev.ferry.registry.Registry;
import dev.ferry.schemas.Target;
import dev.ferry.schemas.deployments.Deployment;
import dev.ferry.schemas.deployments.HandlerManifest;
import dev.ferry.schemas.deployments.HandlerType;
import dev.ferry.schemas.deployments.ServiceManifest;
import dev.ferry.schemas.deployments.ServiceType;
import java.util.List;
import org.junit.jupiter.api.Test;

class InvocationPathsTest {
    private static final Registry REGISTRY = Registry.EMPTY.with(new Deployment(
                    "dp_1" + "0".repeat(22), "http://localhost:9080", 0, 1, List.of(
                            service("Greeter", ServiceType.SERVICE,
                                    handler("greet", null), handler("noop", null)),
                            service("Counter", ServiceType.VIRTUAL_OBJECT,
                                    handler("add", HandlerType.EXCLUSIVE), handler("get", HandlerType.SHARED)),
                            service("Signup", ServiceType.WORKFLOW,
                                    handler("run", HandlerType.WORKFLOW), handler("status", HandlerType.SHARED),
                                    handler("approve", null)))),
            0);

    @Test
    void rootIsABadPath() {
        assertClassicFails("/", 400, "bad path: /");
    }

    @Test
    void serviceWithoutHandlerIsABadPath() {
        assertClassicFails("/Greeter", 400, "bad path: /Greeter");
    }

    @Test
    void unknownServiceIsNotFound() {
        assertClassicFails("/NoSuchService/greet", 404,
                "service 'NoSuchService' not found, make sure to register the service before calling it.");
    }

    @Test
    void unknownHandlerIsNotFound() {
        assertClassicFails("/Greeter/nosuchhandler", 404,
                "the service 'Greeter' exists, but the handler 'nosuchhandler' was not found, check that the handler"
                        + " exists in the latest registered service version.");
    }

    @Test
    void serviceNamesAreCaseSensitive() {
        assertThat(classicError("/greeter/greet").status()).isEqualTo(404);
    }

    @Test
    void extraSegmentAfterAServiceHandlerIsABadClassicPath() {
        assertClassicFails("/Greeter/greet/extra", 400, InvocationPaths.BAD_CLASSIC_PATH);
    }

    @Test
    void extraSegmentAfterSendIsABadClassicPath() {
        assertClassicFails("/Greeter/greet/send/extra", 400, InvocationPaths.BAD_CLASSIC_PATH);
    }

    @Test
    void keyOnAPlainServiceIsABadClassicPath() {
        assertClassicFails("/Greeter/k/greet", 400, InvocationPaths.BAD_CLASSIC_PATH);
    }

    @Test
    void objectWithoutKeyIsABadClassicPath() {
        assertClassicFails("/Counter/add", 400, InvocationPaths.BAD_CLASSIC_PATH);
    }

    @Test
    void objectHandlerFollowedBySendWithoutKeyLooksUpHandlerSend() {
        assertClassicFails("/Counter/add/send", 404,
                "the service 'Counter' exists, but the handler 'send' was not found, check that the handler"
                        + " exists in the latest registered service version.");
    }

    @Test
    void serviceHandlerResolves() {
        InvocationRequest request = InvocationPaths.classic("/Greeter/greet", REGISTRY);

        assertThat(request).isEqualTo(new InvocationRequest(Target.service("Greeter", "greet"), false));
    }

    @Test
    void oneTrailingSlashIsAllowed() {
        assertThat(InvocationPaths.classic("/Greeter/greet/", REGISTRY))
                .isEqualTo(new InvocationRequest(Target.service("Greeter", "greet"), false));
    }

    @Test
    void sendSuffixMakesAOneWaySend() {
        assertThat(InvocationPaths.classic("/Greeter/greet/send", REGISTRY))
                .isEqualTo(new InvocationRequest(Target.service("Greeter", "greet"), true));
    }

    @Test
    void objectHandlersResolveWithTheirDeclaredTypes() {
        assertThat(InvocationPaths.classic("/Counter/alice/add", REGISTRY).target())
                .isEqualTo(new Target("Counter", ServiceType.VIRTUAL_OBJECT, "add", HandlerType.EXCLUSIVE, "alice"));
        assertThat(InvocationPaths.classic("/Counter/alice/get/send", REGISTRY))
                .isEqualTo(new InvocationRequest(
                        new Target("Counter", ServiceType.VIRTUAL_OBJECT, "get", HandlerType.SHARED, "alice"), true));
    }

    @Test
    void objectKeyIsPercentDecodedAfterSplitting() {
        assertThat(InvocationPaths.classic("/Counter/a%2Fb%20c/add", REGISTRY).target().key()).isEqualTo("a/b c");
    }

    @Test
    void plusInAnObjectKeyStaysAPlus() {
        assertThat(InvocationPaths.classic("/Counter/a+b/add", REGISTRY).target().key()).isEqualTo("a+b");
    }

    @Test
    void emptyObjectKeyIsAKey() {
        assertThat(InvocationPaths.classic("/Counter//add", REGISTRY).target().key()).isEmpty();
    }

    @Test
    void serviceNamesAreNotPercentDecoded() {
        HttpError error = classicError("/Gree%74er/greet");

        assertThat(error.status()).isEqualTo(404);
        assertThat(error.getMessage()).contains("'Gree%74er'");
    }

    @Test
    void workflowHandlersResolveRunAsWorkflowAndOthersAsShared() {
        assertThat(InvocationPaths.classic("/Signup/wf-1/run", REGISTRY).target())
                .isEqualTo(new Target("Signup", ServiceType.WORKFLOW, "run", HandlerType.WORKFLOW, "wf-1"));
        assertThat(InvocationPaths.classic("/Signup/wf-1/status", REGISTRY).target().handlerType())
                .isEqualTo(HandlerType.SHARED);
    }

    @Test
    void workflowHandlerWithoutTypeResolvesAsShared() {
        assertThat(InvocationPaths.classic("/Signup/wf-1/approve", REGISTRY).target().handlerType())
                .isEqualTo(HandlerType.SHARED);
    }

    @Test
    void restateFormWithOnlyAServiceIsABadRestatePath() {
        assertRestateFormFails("Greeter", 400, InvocationPaths.BAD_RESTATE_PATH);
    }

    @Test
    void restateFormHasNoSendSuffix() {
        assertRestateFormFails("Greeter/greet/send", 400, InvocationPaths.BAD_RESTATE_PATH);
    }

    @Test
    void restateFormOfAnObjectWithoutKeyIsABadRestatePath() {
        assertRestateFormFails("Counter/add", 400, InvocationPaths.BAD_RESTATE_PATH);
    }

    @Test
    void restateFormOfAnUnknownServiceIsNotFound() {
        assertRestateFormFails("Nope/greet", 404,
                "service 'Nope' not found, make sure to register the service before calling it.");
    }

    @Test
    void restateFormResolvesAServiceHandler() {
        assertThat(InvocationPaths.restateForm("Greeter/greet", true, REGISTRY))
                .isEqualTo(new InvocationRequest(Target.service("Greeter", "greet"), true));
    }

    @Test
    void restateFormResolvesAnObjectHandlerWithItsDecodedKey() {
        assertThat(InvocationPaths.restateForm("Counter/k%2F1/add", false, REGISTRY))
                .isEqualTo(new InvocationRequest(
                        new Target("Counter", ServiceType.VIRTUAL_OBJECT, "add", HandlerType.EXCLUSIVE, "k/1"), false));
    }

    private static void assertClassicFails(String path, int code, String message) {
        HttpError error = classicError(path);

        assertThat(error.status()).isEqualTo(code);
        assertThat(error.getMessage()).isEqualTo(message);
    }

    private static HttpError classicError(String path) {
        HttpError error = catchThrowableOfType(HttpError.class, () -> InvocationPaths.classic(path, REGISTRY));
        assertThat(error).as("error for %s", path).isNotNull();
        return error;
    }

    private static void assertRestateFormFails(String rest, int code, String message) {
        HttpError error =
                catchThrowableOfType(HttpError.class, () -> InvocationPaths.restateForm(rest, false, REGISTRY));

        assertThat(error).as("error for %s", rest).isNotNull();
        assertThat(error.status()).isEqualTo(code);
        assertThat(error.getMessage()).isEqualTo(message);
    }

    private static ServiceManifest service(String name, ServiceType type, HandlerManifest... handlers) {
        return new ServiceManifest(name, null, type, List.of(handlers),
                null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    private static HandlerManifest handler(String name, HandlerType type) {
        return new HandlerManifest(name, null, type, null, null,
                null, null, null, null, null, null, null, null, null, null, null, null, null);
    }
}

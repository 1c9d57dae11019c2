package dev.ferry.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ResourceIdTest {

    @Test
    void randomDeploymentIdValidates() {
        String id = ResourceId.random(ResourceId.DEPLOYMENT);

        assertThat(id).startsWith("dp_1").hasSize(26);
        assertThatCode(() -> ResourceId.validate(ResourceId.DEPLOYMENT, id)).doesNotThrowAnyException();
    }

    @Test
    void randomDeploymentIdsDiffer() {
        assertThat(ResourceId.random(ResourceId.DEPLOYMENT)).isNotEqualTo(ResourceId.random(ResourceId.DEPLOYMENT));
    }

    @Test
    void validateRejectsAWordAfterThePrefixAsAnUnrecognizedCodecVersion() {
        assertThatThrownBy(() -> ResourceId.validate(ResourceId.DEPLOYMENT, "dp_doesnotexist"))
                .isInstanceOf(InvocationId.InvalidIdException.class)
                .hasMessage("unrecognized codec version");
    }

    @Test
    void validateRejectsAnIdOfAnotherType() {
        String subscription = ResourceId.random(ResourceId.SUBSCRIPTION);

        assertThatThrownBy(() -> ResourceId.validate(ResourceId.DEPLOYMENT, subscription))
                .hasMessage("id doesn't match the expected type");
    }

    @Test
    void validateRejectsAnIdOfTheWrongLength() {
        String id = ResourceId.random(ResourceId.DEPLOYMENT);

        assertThatThrownBy(() -> ResourceId.validate(ResourceId.DEPLOYMENT, id + "0")).hasMessage("bad length");
    }
}

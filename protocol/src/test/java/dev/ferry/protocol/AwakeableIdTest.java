package dev.ferry.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.protocol.AwakeableId.InvalidAwakeableIdException;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AwakeableIdTest {
    /** The StartMessage.id the issue 14 probe sent to TypeScript SDK 1.17.2. */
    private static final byte[] PROBE_INVOCATION_ID =
            HexFormat.of().parseHex("0102030405060708a1a2a3a4a5a6a7a8b1b2b3b4b5b6b7b8");
    /** The awakeable id the SDK built from it for its first awakeable (ctx.awakeable().id, probe output). */
    private static final String PROBE_AWAKEABLE_ID = "sign_1AQIDBAUGBwihoqOkpaanqLGys7S1tre4AAAAEQ";

    @Test
    void theSdksIdDecodesToTheInvocationIdAndTheFirstAwakeableSignal() {
        AwakeableId id = AwakeableId.parse(PROBE_AWAKEABLE_ID);

        assertThat(id.invocationId()).isEqualTo(PROBE_INVOCATION_ID);
        assertThat(id.signalIndex()).isEqualTo(AwakeableId.FIRST_AWAKEABLE_SIGNAL_INDEX).isEqualTo(17);
        assertThat(id.partitionKey()).isEqualTo(0x0102030405060708L);
    }

    @Test
    void ferryBuildsTheSameIdAsTheSdk() {
        assertThat(AwakeableId.of(PROBE_INVOCATION_ID, 17)).hasToString(PROBE_AWAKEABLE_ID);
        assertThat(PROBE_AWAKEABLE_ID).hasSize(44);
    }

    @RepeatedTest(20)
    void anyIdSurvivesToStringAndParse() {
        Random random = new Random();
        byte[] invocationId = new byte[24];
        random.nextBytes(invocationId);
        AwakeableId id = AwakeableId.of(invocationId, random.nextInt());

        assertThat(AwakeableId.parse(id.toString())).isEqualTo(id).hasSameHashCodeAs(id);
    }

    @Test
    void theInvocationIdIsRestatesLayoutPartitionKeyThenTheUniquePart() {
        // Ferry's InvocationId(partitionKey, uniqueHigh, uniqueLow) gives these 24 bytes for StartMessage.id.
        byte[] invocationId = ByteBuffer.allocate(24).putLong(-2L).putLong(7L).putLong(-9L).array();

        AwakeableId id = AwakeableId.parse(AwakeableId.of(invocationId, 18).toString());

        ByteBuffer back = ByteBuffer.wrap(id.invocationId());
        assertThat(back.getLong()).isEqualTo(-2L).isEqualTo(id.partitionKey());
        assertThat(back.getLong()).isEqualTo(7L);
        assertThat(back.getLong()).isEqualTo(-9L);
        assertThat(id.signalIndex()).isEqualTo(18);
    }

    @Test
    void theSignalIndexIsAnUnsigned32BitNumber() {
        AwakeableId id = AwakeableId.of(PROBE_INVOCATION_ID, 0xFFFF_FFFF);

        assertThat(id.toString()).endsWith("_____w");
        assertThat(Integer.toUnsignedLong(AwakeableId.parse(id.toString()).signalIndex())).isEqualTo(4_294_967_295L);
    }

    @Test
    void paddingIsAccepted() {
        assertThat(AwakeableId.parse(PROBE_AWAKEABLE_ID + "==")).isEqualTo(AwakeableId.parse(PROBE_AWAKEABLE_ID));
    }

    @Test
    void theIdHoldsACopyOfTheBytes() {
        byte[] invocationId = PROBE_INVOCATION_ID.clone();
        AwakeableId id = AwakeableId.of(invocationId, 17);
        invocationId[0] = 9;
        id.invocationId()[1] = 9;

        assertThat(id).hasToString(PROBE_AWAKEABLE_ID);
    }

    @Test
    void anInvocationIdHasTwentyFourBytes() {
        assertThatThrownBy(() -> AwakeableId.of(new byte[16], 17))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an invocation id has 24 bytes: 16");
        assertThatThrownBy(() -> AwakeableId.of(null, 17)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
        "'' | bad length",
        "sign1AQID | bad format",
        "sign_ | bad length",
        "sign_2AQIDBAUGBwihoqOkpaanqLGys7S1tre4AAAAEQ | unrecognized codec version",
        "sign_1AQIDBAUGBwihoqOkpaanqLGys7S1tre4AAAAEQAA | bad length",
        "sign_1AQIDBAUGBwihoqOkpaanqLGys7S1tre4AAAA | bad length",
        "sign_1 | bad length",
        "sign_1AQIDBAUGBwihoqOkpaanqLGys7S1tre4AAAAE* | base64 decode error",
        "sign_1AQIDBAUGBwihoqOkpaanqLGys7S1tre4AAAAE/ | base64 decode error",
        "inv_1AQIDBAUGBwihoqOkpaanqLGys7S1tre4AAAAEQ | id doesn't match the expected type",
        "foo_1AQIDBAUGBwihoqOkpaanqLGys7S1tre4AAAAEQ | unrecognized resource type: foo",
        "prom_1AQIDBAUGBwihoqOkpaanqLGys7S1tre4AAAAEQ | prom_1 ids are awakeables of protocol versions 1 to 4, which Ferry does not speak",
    })
    void malformedIdsAreRefusedWithRestatesReasons(String text, String reason) {
        assertThatThrownBy(() -> AwakeableId.parse(text))
                .isInstanceOf(InvalidAwakeableIdException.class)
                .isInstanceOf(ProtocolException.class)
                .hasMessage(reason);
    }

    @Test
    void nullIsRefusedToo() {
        assertThatThrownBy(() -> AwakeableId.parse(null)).isInstanceOf(InvalidAwakeableIdException.class);
    }
}

package dev.ferry.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.http.HttpError;
import dev.ferry.ingress.Awakeables.Action;
import dev.ferry.ingress.Awakeables.AwakeableRequest;
import dev.ferry.protocol.AwakeableId;
import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.commands.Failure;
import dev.ferry.schemas.commands.Notify;
import java.nio.ByteBuffer;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The awakeable URL and id as Restate 1.7 reads them, and the command each request becomes. */
class AwakeablesTest {
    /** The id the Restate SDK builds for StartMessage.id 0102…08 a1…a8 b1…b8 and signal 17 (research notes 6.1). */
    private static final String SDK_ID = "sign_1AQIDBAUGBwihoqOkpaanqLGys7S1tre4AAAAEQ";

    @Test
    void thePathNamesTheIdAndTheAction() {
        assertThat(Awakeables.parsePath("abc/resolve")).isEqualTo(new AwakeableRequest("abc", Action.RESOLVE));
        assertThat(Awakeables.parsePath("abc/reject")).isEqualTo(new AwakeableRequest("abc", Action.REJECT));
        assertThat(Awakeables.parsePath("/resolve")).as("an empty id is left to the id check")
                .isEqualTo(new AwakeableRequest("", Action.RESOLVE));
        assertThat(Awakeables.parsePath("abc%2F/resolve")).as("taken as written")
                .isEqualTo(new AwakeableRequest("abc%2F", Action.RESOLVE));
    }

    @Test
    void segmentsAfterTheActionAreIgnoredAsRestateIgnoresThem() {
        assertThat(Awakeables.parsePath("abc/resolve/")).isEqualTo(new AwakeableRequest("abc", Action.RESOLVE));
        assertThat(Awakeables.parsePath("abc/reject/more")).isEqualTo(new AwakeableRequest("abc", Action.REJECT));
    }

    @Test
    void aMissingIdOrActionIs400AndAnotherActionIs404() {
        assertError(() -> Awakeables.parsePath(null), 400, Awakeables.BAD_PATH);
        assertError(() -> Awakeables.parsePath(""), 400, Awakeables.BAD_PATH);
        assertError(() -> Awakeables.parsePath("abc"), 400, Awakeables.BAD_PATH);
        assertError(() -> Awakeables.parsePath("abc/Resolve"), 404, "not found");
        assertError(() -> Awakeables.parsePath("abc/"), 404, "not found");
    }

    @Test
    void theSdksIdNamesItsInvocationAndSignal() {
        AwakeableId id = Awakeables.parseId(SDK_ID);

        assertThat(id.signalIndex()).isEqualTo(17);
        assertThat(InvocationId.fromBytes(id.invocationId()))
                .isEqualTo(new InvocationId(0x0102030405060708L, 0xa1a2a3a4a5a6a7a8L, 0xb1b2b3b4b5b6b7b8L));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
        "''|bad length",
        "garbage|bad format",
        "sign|bad format",
        "foo_1AAAA|unrecognized resource type: foo",
        "_1AAAA|'unrecognized resource type: '",
        "sign_|bad length",
        "sign_2AQIDBAUGBwihoqOkpaanqLGys7S1tre4AAAAEQ|unrecognized codec version",
        "inv_2abc|unrecognized codec version",
        "sign_1AQIDBAUGBwihoqOk|id doesn't match the expected type",
        "sign_1!!!!|id doesn't match the expected type",
        "sign_1AQIDBAUGBwihoqOkpaanqLGys7S1tre4AAAAEQAA|id doesn't match the expected type",
        "inv_1AQIDBAUGBwihoqOkpaanqLGys7S1tre4AAAAEQ|id doesn't match the expected type",
        "dp_1abc|id doesn't match the expected type",
        "prom_1!!!!|base62 decode error",
        "prom_1AQIDBAUGBwihoqOk|bad length",
        "prom_2AQIDBAUGBwihoqOk|unrecognized codec version",
    })
    void aMalformedIdGetsTheReasonRestateGives(String id, String reason) {
        assertError(() -> Awakeables.parseId(id), 400, "bad awakeable id '" + id + "': " + reason);
    }

    @Test
    void aWellFormedLegacyIdIsRefusedWithFerrysReason() {
        String legacy = "prom_1" + SDK_ID.substring("sign_1".length());

        assertThat(Awakeables.restateReason(legacy)).as("Restate would take it").isNull();
        assertThatThrownBy(() -> Awakeables.parseId(legacy)).isInstanceOfSatisfying(HttpError.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.getMessage()).startsWith("bad awakeable id '" + legacy + "': prom_1 ids are awakeables of"
                    + " protocol versions 1 to 4");
        });
    }

    @Test
    void paddingIsAccepted() {
        assertThat(Awakeables.parseId(SDK_ID + "==")).isEqualTo(Awakeables.parseId(SDK_ID));
    }

    @Test
    void anUnsignedSignalIndexAboveTheIntRangeTravelsAsItsBits() {
        byte[] raw = ByteBuffer.allocate(28).put(InvocationId.random(3).toBytes()).putInt(0xfffffffe).array();
        String id = "sign_1" + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);

        Notify notify = Awakeables.notify(Awakeables.parseId(id), Action.RESOLVE, new byte[0]);

        assertThat(Integer.toUnsignedLong(notify.signalIndex())).isEqualTo(0xfffffffeL);
    }

    @Test
    void resolveCarriesTheValueAndRejectTheFailure() {
        InvocationId target = InvocationId.random(9);
        AwakeableId id = AwakeableId.of(target.toBytes(), 18);

        Notify resolved = Awakeables.notify(id, Action.RESOLVE, "\"ok\"".getBytes());
        Notify rejected = Awakeables.notify(id, Action.REJECT, "nope".getBytes());

        assertThat(resolved.invocationId()).isEqualTo(target);
        assertThat(resolved.signalIndex()).isEqualTo(18);
        assertThat(resolved.value().utf8()).isEqualTo("\"ok\"");
        assertThat(resolved.failure()).isNull();
        assertThat(rejected.invocationId()).isEqualTo(target);
        assertThat(rejected.signalIndex()).isEqualTo(18);
        assertThat(rejected.value().isEmpty()).isTrue();
        assertThat(rejected.failure()).isEqualTo(new Failure(500, "nope"));
    }

    private static void assertError(Runnable call, int status, String message) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(HttpError.class, e -> {
            assertThat(e.status()).isEqualTo(status);
            assertThat(e.getMessage()).isEqualTo(message);
            assertThat(e.source()).isEqualTo(HttpError.Source.INGRESS);
        });
    }
}

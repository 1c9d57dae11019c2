package dev.ferry.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import dev.ferry.schemas.commands.Attach;
import dev.ferry.schemas.commands.Command;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InvocationIdTest {

    @RepeatedTest(50)
    void randomIdSurvivesToStringAndParse() {
        InvocationId id = InvocationId.random(Routing.randomPartitionKey());

        assertThat(InvocationId.parse(id.toString())).isEqualTo(id);
    }

    @Test
    void deterministicIdSurvivesToStringAndParse() {
        InvocationId id = InvocationId.deterministic(Routing.partitionKey("key"), "a", "b");

        assertThat(InvocationId.parse(id.toString())).isEqualTo(id);
    }

    @ParameterizedTest
    @CsvSource({
        "0, 0, 0",
        "-1, -1, -1",
        "-9223372036854775808, -9223372036854775808, 1",
        "9223372036854775807, 9223372036854775807, -9223372036854775808",
        "-2, 1, -1",
    })
    void idsWithTheTopBitSetSurviveToStringAndParse(long partitionKey, long high, long low) {
        InvocationId id = new InvocationId(partitionKey, high, low);

        assertThat(InvocationId.parse(id.toString())).isEqualTo(id);
    }

    @Test
    void textIsThirtyEightCharactersStartingWithInv1() {
        assertThat(InvocationId.LENGTH).isEqualTo(38);
        for (InvocationId id : new InvocationId[] {
            new InvocationId(0, 0, 0), new InvocationId(-1, -1, -1), InvocationId.random(Routing.randomPartitionKey())
        }) {
            assertThat(id.toString()).hasSize(38).startsWith("inv_1");
        }
    }

    @Test
    void zeroIdIsAllZeroDigits() {
        assertThat(new InvocationId(0, 0, 0).toString()).isEqualTo("inv_1" + "0".repeat(33));
    }

    @Test
    void anIdAsRestatePrintsItPrintsBackUnchanged() {
        String restateId = "inv_1gdJBtdVEcM942bjcDmb1c1khoaJe11Hbz";

        assertThat(InvocationId.parse(restateId).toString()).isEqualTo(restateId);
    }

    @Test
    void deterministicIdIsStable() {
        assertThat(InvocationId.deterministic(42, "idempotent", "Greeter", null, "greet", "k1"))
                .isEqualTo(InvocationId.deterministic(42, "idempotent", "Greeter", null, "greet", "k1"));
    }

    @Test
    void deterministicIdKeepsThePartitionKey() {
        assertThat(InvocationId.deterministic(-7, "x").partitionKey()).isEqualTo(-7);
    }

    @Test
    void deterministicIdDistinguishesWherePartsAreSplit() {
        assertThat(InvocationId.deterministic(1, "ab", "c")).isNotEqualTo(InvocationId.deterministic(1, "a", "bc"));
    }

    @Test
    void deterministicIdDistinguishesNullFromEmpty() {
        assertThat(InvocationId.deterministic(1, (String) null)).isNotEqualTo(InvocationId.deterministic(1, ""));
    }

    @Test
    void deterministicIdDependsOnEveryPart() {
        assertThat(InvocationId.deterministic(1, "a", "b")).isNotEqualTo(InvocationId.deterministic(1, "a", "c"));
    }

    @Test
    void randomIdsDiffer() {
        assertThat(InvocationId.random(5)).isNotEqualTo(InvocationId.random(5));
    }

    @Test
    void parseRejectsTextWithoutASeparatorAsBadFormat() {
        assertParseFails("garbage", "bad format");
    }

    @Test
    void parseRejectsAPrefixOnlyAsBadLength() {
        assertParseFails("inv_1", "bad length");
    }

    @Test
    void parseRejectsAnOutOfRangeNumberAsBase62DecodeError() {
        assertParseFails("inv_1aaaaaaaaaaaa0000000000000000000000", "base62 decode error");
    }

    @Test
    void parseRejectsACharacterOutsideTheAlphabetAsBase62DecodeError() {
        assertParseFails("inv_1" + "0".repeat(32) + "-", "base62 decode error");
    }

    @Test
    void parseRejectsADeploymentIdAsTheWrongType() {
        assertParseFails("dp_1" + "0".repeat(33), "id doesn't match the expected type");
    }

    @Test
    void parseRejectsAnUnknownResourceType() {
        assertParseFails("foo_1" + "0".repeat(33), "unrecognized resource type: foo");
    }

    @Test
    void parseRejectsAnotherCodecVersion() {
        String valid = InvocationId.random(1).toString();
        String version2 = valid.substring(0, 4) + "2" + valid.substring(5);

        assertParseFails(version2, "unrecognized codec version");
    }

    @Test
    void parseRejectsOneTrailingCharacterAsBadLength() {
        assertParseFails(InvocationId.random(1) + "0", "bad length");
    }

    @Test
    void parseRejectsAnIdOneCharacterShortAsBadLength() {
        String valid = InvocationId.random(1).toString();

        assertParseFails(valid.substring(0, valid.length() - 1), "bad length");
    }

    @Test
    void inJsonAnIdIsItsTextualForm() {
        InvocationId id = InvocationId.random(-7);

        assertThat(Json.writeString(id)).isEqualTo("\"" + id + "\"");
        assertThat(Json.readTrusted(("\"" + id + "\"").getBytes(StandardCharsets.UTF_8), InvocationId.class))
                .isEqualTo(id);
    }

    @Test
    void aCommandWritesItsIdAsTheSameStringAsBefore() {
        InvocationId id = InvocationId.random(42);
        String json = "{\"type\":\"Attach\",\"invocationId\":\"" + id
                + "\",\"replyTo\":{\"ingressId\":\"i\",\"requestId\":\"r\"}}";

        assertThat(Json.writeString(new Attach(id, new dev.ferry.schemas.commands.ReplyTo("i", "r"))))
                .isEqualTo(json);
        assertThat(Json.readTrusted(json.getBytes(StandardCharsets.UTF_8), Command.class))
                .isEqualTo(new Attach(id, new dev.ferry.schemas.commands.ReplyTo("i", "r")));
    }

    @Test
    void readingAMalformedIdFailsWithTheReasonAsTheCause() {
        byte[] json = "{\"type\":\"Attach\",\"invocationId\":\"inv_1aaaaaaaaaaaa0000000000000000000000\"}"
                .getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> Json.read(json, Command.class))
                .isInstanceOf(ValueInstantiationException.class)
                .hasRootCauseInstanceOf(InvocationId.InvalidIdException.class)
                .hasRootCauseMessage("base62 decode error");
    }

    private static void assertParseFails(String text, String reason) {
        assertThatThrownBy(() -> InvocationId.parse(text))
                .isInstanceOf(InvocationId.InvalidIdException.class)
                .hasMessage(reason);
    }
}

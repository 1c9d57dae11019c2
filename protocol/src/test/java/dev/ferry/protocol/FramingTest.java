package dev.ferry.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.ferry.protocol.messages.EndMessage;
import dev.ferry.protocol.messages.RunCommandMessage;
import dev.ferry.protocol.messages.SleepCommandMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FramingTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final int MAX = 1024;

    private static final Frame RUN = Frame.of(RunCommandMessage.newBuilder()
            .setResultCompletionId(1).setName("r1").build());
    private static final Frame END = Frame.of(EndMessage.getDefaultInstance());
    private static final Frame PROPOSAL = new Frame(0x0005, Frame.REQUESTED_ACK, bytes("0801720522", "72616e22"));

    @Test
    void theHeaderIsTypeThenFlagsThenLengthBigEndian() {
        Frame frame = new Frame(0x0411, 0x8000, ByteString.copyFromUtf8("abc"));

        assertThat(HEX.formatHex(frame.toByteArray())).isEqualTo("0411" + "8000" + "00000003" + "616263");
        assertThat(frame.encodedLength()).isEqualTo(11);
        assertThat(frame.bodyLength()).isEqualTo(3);
    }

    @Test
    void anEmptyMessageIsAHeaderAlone() {
        assertThat(HEX.formatHex(END.toByteArray())).isEqualTo("0003" + "0000" + "00000000");
        assertThat(FrameCodec.decode(END.toByteArray(), 0)).containsExactly(END);
        assertThat(END.message()).isEqualTo(EndMessage.getDefaultInstance());
    }

    @Test
    void framesSurviveEncodingAndDecodingWithTheirFlags() {
        List<Frame> frames = List.of(RUN, PROPOSAL, END);

        List<Frame> decoded = FrameCodec.decode(FrameCodec.encode(frames), MAX);

        assertThat(decoded).containsExactlyElementsOf(frames);
        assertThat(decoded.get(1).requestedAck()).isTrue();
        assertThat(decoded.get(0).requestedAck()).isFalse();
        assertThat(FrameCodec.decode(new byte[0], MAX)).isEmpty();
    }

    @Test
    void aBodyOfExactlyTheMaximumIsAcceptedAndOneByteMoreIsRefused() {
        Frame atLimit = new Frame(0x0400, 0, ByteString.copyFrom(new byte[MAX]));
        Frame overLimit = new Frame(0x0400, 0, ByteString.copyFrom(new byte[MAX + 1]));

        assertThat(FrameCodec.decode(atLimit.toByteArray(), MAX)).containsExactly(atLimit);
        assertThatThrownBy(() -> FrameCodec.decode(overLimit.toByteArray(), MAX))
                .isInstanceOf(MalformedFrameException.class)
                .hasMessage("a frame of type 0x0400 announces a body of 1025 bytes, more than the limit of 1024");
    }

    @Test
    void anAnnouncedLengthAboveTheMaximumIsRefusedBeforeTheBodyArrives() {
        FrameDecoder decoder = new FrameDecoder(MAX);

        assertThatThrownBy(() -> decoder.feed(HEX.parseHex("0400000000100000")))
                .isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("announces a body of 1048576 bytes");
    }

    @Test
    void theLengthIsUnsignedSoTheLargestIsRefusedAsTooLongRatherThanNegative() {
        assertThatThrownBy(() -> FrameCodec.decode(HEX.parseHex("ffff0000ffffffff"), FrameDecoder.LARGEST_MAX_BODY_LENGTH))
                .isInstanceOf(MalformedFrameException.class)
                .hasMessage("a frame of type 0xFFFF announces a body of 4294967295 bytes, more than the limit of "
                        + FrameDecoder.LARGEST_MAX_BODY_LENGTH);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7})
    void bytesEndingInsideAHeaderAreRefused(int length) {
        byte[] truncated = Arrays.copyOf(RUN.toByteArray(), length);

        assertThatThrownBy(() -> FrameCodec.decode(truncated, MAX))
                .isInstanceOf(MalformedFrameException.class)
                .hasMessage("the bytes end inside a frame header: " + length + " of 8 bytes");
    }

    @Test
    void bytesEndingInsideABodyAreRefused() {
        byte[] whole = FrameCodec.encode(List.of(END, RUN));
        byte[] truncated = Arrays.copyOf(whole, whole.length - 4);

        assertThatThrownBy(() -> FrameCodec.decode(truncated, MAX))
                .isInstanceOf(MalformedFrameException.class)
                .hasMessage("the bytes end inside the body of a frame of type 0x0411: 2 of 6 bytes");
    }

    @Test
    void aLengthBeyondTheBytesIsRefused() {
        assertThatThrownBy(() -> FrameCodec.decode(HEX.parseHex("04000000000000ff0a00"), MAX))
                .isInstanceOf(MalformedFrameException.class)
                .hasMessage("the bytes end inside the body of a frame of type 0x0400: 2 of 255 bytes");
    }

    @Test
    void chunksCutAnywhereGiveTheSameFrames() {
        List<Frame> frames = List.of(RUN, PROPOSAL, END, RUN);
        byte[] stream = FrameCodec.encode(frames);

        for (int cut = 0; cut <= stream.length; cut++) {
            FrameDecoder decoder = new FrameDecoder(MAX);
            List<Frame> decoded = new ArrayList<>(decoder.feed(Arrays.copyOfRange(stream, 0, cut)));
            decoded.addAll(decoder.feed(ByteBuffer.wrap(stream, cut, stream.length - cut)));
            decoder.finish();
            assertThat(decoded).as("cut at %d", cut).containsExactlyElementsOf(frames);
        }
    }

    @Test
    void aStreamFedByteByByteGivesEachFrameWithItsLastByte() {
        List<Frame> frames = List.of(RUN, END, PROPOSAL);
        byte[] stream = FrameCodec.encode(frames);
        FrameDecoder decoder = new FrameDecoder(MAX);
        List<Integer> completedAt = new ArrayList<>();
        List<Frame> decoded = new ArrayList<>();

        for (int i = 0; i < stream.length; i++) {
            List<Frame> out = decoder.feed(new byte[] {stream[i]});
            if (!out.isEmpty()) {
                completedAt.add(i + 1);
                decoded.addAll(out);
            }
            assertThat(decoder.isBetweenFrames()).isEqualTo(!out.isEmpty());
        }

        assertThat(decoded).containsExactlyElementsOf(frames);
        assertThat(completedAt).containsExactly(14, 22, 39);
    }

    @Test
    void aDecoderRefusesEverythingAfterMalformedInput() {
        FrameDecoder decoder = new FrameDecoder(4);
        assertThatThrownBy(() -> decoder.feed(RUN.toByteArray())).isInstanceOf(MalformedFrameException.class);

        assertThatThrownBy(() -> decoder.feed(END.toByteArray())).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(decoder::finish).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theMaximumMustFitAnArray() {
        assertThatThrownBy(() -> new FrameDecoder(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FrameDecoder(Integer.MAX_VALUE)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new FrameDecoder(0).maxBodyLength()).isZero();
    }

    @Test
    void garbageIsEitherFramesOrAMalformedFrameExceptionNeverAnotherFailure() {
        Random random = new Random(14);
        int refused = 0;
        int decodedFrames = 0;
        for (int i = 0; i < 5000; i++) {
            byte[] garbage = new byte[random.nextInt(48)];
            random.nextBytes(garbage);
            if (random.nextBoolean() && garbage.length >= 8) {
                // Plausible headers too: a small length, so that bodies get decoded as messages.
                garbage[4] = 0;
                garbage[5] = 0;
                garbage[6] = 0;
                garbage[7] = (byte) random.nextInt(garbage.length - 7);
                garbage[0] = (byte) (random.nextBoolean() ? 0x04 : 0x80);
                garbage[1] = (byte) random.nextInt(0x15);
            }
            List<Frame> frames;
            try {
                frames = FrameCodec.decode(garbage, 32);
            } catch (MalformedFrameException expected) {
                refused++;
                continue;
            }
            for (Frame frame : frames) {
                decodedFrames++;
                try {
                    frame.message();
                } catch (ProtocolException expected) {
                    // A custom entry, an unassigned id or a body that is not the message: all said in words.
                    assertThat(expected.getMessage()).isNotBlank();
                }
            }
        }
        assertThat(refused).isPositive();
        assertThat(decodedFrames).isPositive();
    }

    @Test
    void aBlockingStreamIsReadFrameByFrameUntilItEndsBetweenFrames() throws IOException {
        InputStream in = new ByteArrayInputStream(FrameCodec.encode(List.of(RUN, END)));

        assertThat(FrameCodec.read(in, MAX)).isEqualTo(RUN);
        assertThat(FrameCodec.read(in, MAX)).isEqualTo(END);
        assertThat(FrameCodec.read(in, MAX)).isNull();
    }

    @Test
    void aBlockingStreamEndingInsideAFrameIsRefused() {
        byte[] whole = RUN.toByteArray();

        assertThatThrownBy(() -> FrameCodec.read(new ByteArrayInputStream(Arrays.copyOf(whole, 3)), MAX))
                .isInstanceOf(MalformedFrameException.class)
                .hasMessage("the bytes end inside a frame header: 3 of 8 bytes");
        assertThatThrownBy(() -> FrameCodec.read(new ByteArrayInputStream(Arrays.copyOf(whole, 10)), MAX))
                .isInstanceOf(MalformedFrameException.class)
                .hasMessage("the bytes end inside the body of a frame of type 0x0411: 2 of 6 bytes");
        assertThatThrownBy(() -> FrameCodec.read(new ByteArrayInputStream(whole), 5))
                .isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("more than the limit of 5");
    }

    @Test
    void writingToAStreamGivesTheSameBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PROPOSAL.writeTo(out);

        assertThat(out.toByteArray()).isEqualTo(PROPOSAL.toByteArray());
    }

    @Test
    void aFrameOfAnotherTypeThanAskedIsRefused() {
        assertThat(RUN.message(RunCommandMessage.class).getName()).isEqualTo("r1");
        assertThatThrownBy(() -> RUN.message(SleepCommandMessage.class))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("expected a SleepCommandMessage, the frame holds a RunCommandMessage (0x0411)");
    }

    @Test
    void aBodyThatIsNotTheMessageItsTypeNamesIsRefused() {
        Frame broken = new Frame(0x0411, 0, bytes("5a"));

        assertThatThrownBy(broken::message)
                .isInstanceOf(MalformedFrameException.class)
                .hasMessageStartingWith("the body of a frame of type 0x0411 is not a valid RunCommandMessage");
    }

    @Test
    void customEntriesAreKeptButNotRead() {
        Frame custom = new Frame(0xFC01, 0, ByteString.copyFrom("opaque", StandardCharsets.UTF_8));

        assertThat(FrameCodec.decode(custom.toByteArray(), MAX)).containsExactly(custom);
        assertThat(custom.kind()).isEqualTo(MessageType.Kind.CUSTOM_ENTRY);
        assertThat(custom.messageType()).isEmpty();
        assertThat(custom).hasToString("Frame[0xFC01 custom_entry, flags 0x0000, 6 bytes]");
        assertThatThrownBy(custom::message)
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("is not a message Ferry reads");
    }

    @Test
    void aFrameNamesItsMessageWhenPrinted() {
        assertThat(PROPOSAL).hasToString("Frame[0x0005 ProposeRunCompletionMessage, flags 0x8000, 9 bytes]");
    }

    @Test
    void typesAndFlagsAreSixteenBits() {
        assertThatThrownBy(() -> new Frame(0x10000, 0, ByteString.EMPTY)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Frame(0, -1, ByteString.EMPTY)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Frame(0, 0, null)).isInstanceOf(IllegalArgumentException.class);
    }

    private static ByteString bytes(String... hex) {
        return ByteString.copyFrom(HEX.parseHex(String.join("", hex)));
    }
}

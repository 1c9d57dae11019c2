package dev.ferry.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.MediaType;
import okhttp3.RequestBody;
import okio.Buffer;
import org.junit.jupiter.api.Test;

class GatedBodyTest {
    private static final MediaType FRAMES = MediaType.get("application/vnd.restate.invocation.v5");

    @Test
    void okHttpBodyAsksItsGateWhenWrittenNotWhenBuiltAndWritesNothingWhenClosed() throws IOException {
        AtomicBoolean open = new AtomicBoolean(true);
        RequestBody body = GatedBody.okHttp(new byte[] {1, 2, 3}, FRAMES, open::get);
        open.set(false); // the process stood still after the request was built

        Buffer sink = new Buffer();
        assertThatThrownBy(() -> body.writeTo(sink)).isInstanceOf(GatedBody.Withheld.class);
        assertThat(sink.size()).isZero();
        assertThat(body.isOneShot()).isTrue(); // OkHttp must not send it again on a retry
    }

    @Test
    void okHttpBodyWritesItsBytesWhileTheGateIsOpen() throws IOException {
        RequestBody body = GatedBody.okHttp(new byte[] {1, 2, 3}, FRAMES, () -> true);

        Buffer sink = new Buffer();
        body.writeTo(sink);

        assertThat(sink.readByteArray()).containsExactly(1, 2, 3);
        assertThat(body.contentLength()).isEqualTo(3);
        assertThat(body.contentType()).isEqualTo(FRAMES);
    }

    @Test
    void aWithheldBodyIsRecognisedThroughItsCauses() {
        assertThat(GatedBody.withheld(new IOException("send failed", new GatedBody.Withheld()))).isTrue();
        assertThat(GatedBody.withheld(new IOException("connection reset"))).isFalse();
    }
}

package dev.ferry.schemas.replies;

import dev.ferry.schemas.Json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class InvocationCursorTest {
    @Test
    void readsWhatItWrites() {
        InvocationCursor cursor = new InvocationCursor(1_764_600_000_123L, "inv_1abc");
        assertThat(cursor.toString()).isEqualTo("1764600000123~inv_1abc");
        assertThat(InvocationCursor.parse(cursor.toString())).isEqualTo(cursor);
        assertThat(Json.readTrusted(Json.write(cursor), InvocationCursor.class)).isEqualTo(cursor);
    }

    @Test
    void refusesWhatIsNotACursor() {
        assertThatThrownBy(() -> InvocationCursor.parse("yesterday~inv_1abc"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'yesterday'");
        assertThatThrownBy(() -> InvocationCursor.parse("-5~inv_1abc"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("before 1970");
        assertThatThrownBy(() -> InvocationCursor.parse("99999999999999999999~inv_1abc"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

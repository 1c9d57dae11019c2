package dev.ferry.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    static Stream<Arguments> accepted() {
        return Stream.of(
                Arguments.of("500ms", Duration.ofMillis(500)),
                Arguments.of("10s", Duration.ofSeconds(10)),
                Arguments.of("1m", Duration.ofMinutes(1)),
                Arguments.of("1 m", Duration.ofMinutes(1)),
                Arguments.of("1h 30m", Duration.ofMinutes(90)),
                Arguments.of("1d", Duration.ofDays(1)),
                Arguments.of("0", Duration.ZERO),
                Arguments.of("PT10S", Duration.ofSeconds(10)),
                Arguments.of("PT0.5S", Duration.ofMillis(500)),
                Arguments.of("P1D", Duration.ofDays(1)));
    }

    @ParameterizedTest
    @MethodSource("accepted")
    void parseAcceptsHumantimeAndIso8601(String text, Duration expected) {
        assertThat(Durations.parse(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "garbage", "-5s", "P1M", "P1Y", "10", "5 parsecs", "PT-5S"})
    void parseRejectsEmptyMalformedNegativeAndCalendarDurations(String text) {
        assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void parseRejectsNull() {
        assertThatThrownBy(() -> Durations.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void parseReadsIsoMinutesAfterTheTimeSeparatorAsMinutes() {
        assertThat(Durations.parse("PT1M")).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void formatUsesTheLargestUnits() {
        assertThat(Durations.format(Duration.ofDays(1))).isEqualTo("1d");
        assertThat(Durations.format(Duration.ofSeconds(60))).isEqualTo("1m");
        assertThat(Durations.format(Duration.ofMillis(500))).isEqualTo("500ms");
    }

    @Test
    void formatSeparatesUnitsWithSpaces() {
        Duration duration = Duration.ofDays(1).plusHours(12).plusMinutes(4).plusSeconds(2);

        assertThat(Durations.format(duration)).isEqualTo("1d 12h 4m 2s");
    }

    @Test
    void formattedDurationParsesBack() {
        Duration duration = Duration.ofDays(3).plusHours(1).plusMillis(250);

        assertThat(Durations.parse(Durations.format(duration))).isEqualTo(duration);
    }

    @ParameterizedTest
    @ValueSource(strings = {"106751991167d", "36501d", "9223372036854775807ms", "99999999999999999999s",
            "5300w", "P36501D", "PT876025H", "PT9223372036854775807S", "36500d 1s"})
    void parseRejectsDurationsLongerThanTheMaximumNamingTheValue(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'")
                .hasMessageContaining("longer than 36500d");
    }

    @Test
    void parseAcceptsAYearAndTheMaximumItself() {
        assertThat(Durations.parse("365d")).isEqualTo(Duration.ofDays(365));
        assertThat(Durations.parse("36500d")).isEqualTo(Durations.MAX);
        assertThat(Durations.parse("P36500D")).isEqualTo(Durations.MAX);
    }
}

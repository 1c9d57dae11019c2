package dev.ferry.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class HandOverMarkTest {
    @Test
    void aMarkReadsBackFromItsHeader() {
        HandOverMark mark = new HandOverMark(-4_611_686_018_427_387_904L, 12_345L);
        RecordHeaders headers = new RecordHeaders();
        headers.add("traceparent", new byte[] {1, 2, 3});
        headers.add(HandOverMark.HEADER, mark.bytes());

        assertThat(HandOverMark.of(headers)).isEqualTo(mark);
    }

    @Test
    void aRecordWithoutAMarkOrWithAMalformedOneHasNone() {
        assertThat(HandOverMark.of(null)).isNull();
        assertThat(HandOverMark.of(new RecordHeaders())).isNull();
        RecordHeaders shortValue = new RecordHeaders();
        shortValue.add(HandOverMark.HEADER, new byte[] {1, 2, 3});
        assertThat(HandOverMark.of(shortValue)).isNull();
        RecordHeaders noValue = new RecordHeaders();
        noValue.add(HandOverMark.HEADER, null);
        assertThat(HandOverMark.of(noValue)).isNull();
    }
}

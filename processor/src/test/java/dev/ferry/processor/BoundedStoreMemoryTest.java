package dev.ferry.processor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

class BoundedStoreMemoryTest {
    static {
        RocksDB.loadLibrary();
    }

    /** What Kafka Streams' RocksDBStore sets before it hands the options to the config setter. */
    private static Options asKafkaStreamsOpensAStore() {
        Options options = new Options();
        BlockBasedTableConfig table = new BlockBasedTableConfig();
        table.setFilterPolicy(new BloomFilter());
        options.setTableFormatConfig(table);
        options.setOptimizeFiltersForHits(true);
        return options;
    }

    @Test
    void lookupsOfKeysThatAreNotThereAreAnsweredByFiltersAtEveryLevel() {
        try (Options options = asKafkaStreamsOpensAStore()) {
            new BoundedStoreMemory().setConfig("invocations", options, Map.of(BoundedStoreMemory.CONFIG, "8388608"));

            assertThat(options.optimizeFiltersForHits()).isFalse();
            assertThat(((BlockBasedTableConfig) options.tableFormatConfig()).filterPolicy()).isNotNull();
        }
    }

    @Test
    void everyStoreSharesOneBoundedCacheAndChargesItsWriteBuffersToIt() {
        try (Options first = asKafkaStreamsOpensAStore(); Options second = asKafkaStreamsOpensAStore()) {
            new BoundedStoreMemory().setConfig("invocations", first, Map.of(BoundedStoreMemory.CONFIG, "8388608"));
            new BoundedStoreMemory().setConfig("timers", second, Map.of(BoundedStoreMemory.CONFIG, "8388608"));

            BlockBasedTableConfig firstTable = (BlockBasedTableConfig) first.tableFormatConfig();
            BlockBasedTableConfig secondTable = (BlockBasedTableConfig) second.tableFormatConfig();
            assertThat(firstTable.cacheIndexAndFilterBlocks()).isTrue();
            assertThat(first.writeBufferManager()).isSameAs(second.writeBufferManager());
            assertThat(first.writeBufferSize()).isEqualTo(4L * 1024 * 1024);
            assertThat(secondTable.cacheIndexAndFilterBlocks()).isTrue();
        }
    }
}

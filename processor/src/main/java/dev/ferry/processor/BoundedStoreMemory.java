package dev.ferry.processor;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Bounds the off-heap memory of every state store of this process together. By default Kafka Streams gives each
 * RocksDB instance its own 50 MiB block cache and up to three 16 MiB write buffers: with six stores per partition and
 * twelve partitions that is gigabytes in the worst case, and it grows with the partitions a process hosts. Here all
 * stores share one LRU cache of {@value #CONFIG} bytes, and their write buffers (memtables) are charged to it as
 * well, as Kafka Streams' memory management guide recommends; RocksDB flushes early when the total reaches it.
 *
 * <p>Kafka Streams also turns on {@code optimize_filters_for_hits}, which leaves the bottommost level without Bloom
 * filters: right for stores whose lookups find their key. Ferry's most frequent lookup does not: every new invocation
 * is looked up by its fresh id first (is it a repeat?), and without a filter that miss reads an index and a data block
 * of every bottom file. The filters cost about 10 bits a key.
 */
public final class BoundedStoreMemory implements RocksDBConfigSetter {
    /** The Kafka Streams property that carries the bound, in bytes (from {@code FERRY_STORE_MEMORY}). */
    public static final String CONFIG = "ferry.store.memory.bytes";
    /** Part of the bound the write buffers may take; the rest caches blocks, indexes and filters. */
    private static final double WRITE_BUFFER_SHARE = 0.5;
    /** Small memtables: many stores share the bound, and each flushes on its own once its memtable is full. */
    private static final long WRITE_BUFFER_BYTES = 4L * 1024 * 1024;

    /** One cache and one write buffer manager per process, shared by every store it opens. */
    private static Cache cache;
    private static WriteBufferManager writeBuffers;

    private static synchronized void open(long bytes) {
        if (cache == null) {
            // High-priority pool for index and filter blocks, so data blocks never evict them.
            cache = new LRUCache(bytes, -1, false, 0.1);
            writeBuffers = new WriteBufferManager((long) (bytes * WRITE_BUFFER_SHARE), cache);
        }
    }

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        open(Long.parseLong(String.valueOf(configs.get(CONFIG))));
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(cache);
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setTableFormatConfig(table);
        options.setWriteBufferManager(writeBuffers);
        options.setWriteBufferSize(WRITE_BUFFER_BYTES);
        options.setMaxWriteBufferNumber(2);
        options.setOptimizeFiltersForHits(false);
    }

    @Override
    public void close(String storeName, Options options) {
        // The cache and the write buffer manager are shared by every store of the process: never closed here.
    }
}

package dev.ferry.processor;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last resort for a record Kafka Streams could not produce. The processor refuses what it knows the producer
 * cannot carry (too large, a result topic that is not allowed or does not exist) before forwarding it, so this runs
 * only for what it could not foresee. Retrying would fail the same way, and under exactly-once the failed send has
 * already doomed the transaction, so the command will be processed again: the source record is remembered in
 * {@link PoisonedRecords}, and the processor ends its invocation with the reason when it meets it again.
 */
public final class ProductionFailures implements ProductionExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(ProductionFailures.class);

    private PoisonedRecords poisoned;

    @Override
    public void configure(Map<String, ?> configs) {
        poisoned = (PoisonedRecords) configs.get(PoisonedRecords.CONFIG);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
        String reason = "writing a record to " + record.topic() + " failed: " + exception;
        if (context.topic() != null && poisoned != null) {
            poisoned.add(context.topic(), context.partition(), context.offset(), reason);
            log.error("{} (processing {}-{} at offset {}); that command's invocation ends with this reason", reason,
                    context.topic(), context.partition(), context.offset());
        } else {
            log.error("{} (outside any command: a timer)", reason);
        }
        return Response.resume();
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record, Exception exception,
            SerializationExceptionOrigin origin) {
        log.error("Serializing a record for {} failed", record.topic(), exception);
        return Response.resume(); // byte arrays and strings: not expected
    }
}

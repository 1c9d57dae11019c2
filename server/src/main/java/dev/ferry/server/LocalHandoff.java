package dev.ferry.server;

import dev.ferry.client.ReplyListener;
import dev.ferry.dispatcher.Dispatcher;
import dev.ferry.processor.ProcessorOutputs;
import dev.ferry.schemas.Topics;
import org.apache.kafka.common.header.Headers;

/**
 * The processor's outputs for the roles of this same process, handed over in memory as soon as the broker has them
 * (ARCHITECTURE.md, "Latency, throughput and memory"): dispatches to this process's dispatcher, replies to this
 * process's ingress. It saves a consumer fetch on each of the two hops of a call that end here. Roles that start
 * after the processor attach themselves; until then, and for every other process, the records come through Kafka.
 */
final class LocalHandoff implements ProcessorOutputs {
    private final String dispatchTopic;
    private final String repliesTopic;
    private volatile Dispatcher dispatcher;
    private volatile ReplyListener replies;

    LocalHandoff(Topics topics) {
        this.dispatchTopic = topics.dispatch();
        this.repliesTopic = topics.replies();
    }

    void dispatcher(Dispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    void replies(ReplyListener replies) {
        this.replies = replies;
    }

    @Override
    public void acknowledged(String topic, int partition, long offset, byte[] key, byte[] value, long timestamp) {
        acknowledged(topic, partition, offset, key, value, timestamp, null);
    }

    @Override
    public void acknowledged(String topic, int partition, long offset, byte[] key, byte[] value, long timestamp,
            Headers headers) {
        if (topic.equals(repliesTopic)) {
            ReplyListener listener = replies;
            if (listener != null) {
                listener.offer(partition, offset, key, value);
            }
        } else if (topic.equals(dispatchTopic)) {
            Dispatcher local = dispatcher;
            if (local != null) {
                local.offer(partition, value, headers, timestamp);
            }
        }
    }
}

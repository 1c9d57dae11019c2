package dev.ferry.server;

import dev.ferry.client.ReplyListener;
import dev.ferry.dispatcher.Dispatcher;
import dev.ferry.processor.ProcessorOutputs;
import dev.ferry.schemas.Topics;
import org.apache.kafka.common.header.Headers;

/**
 * The processor's outputs for the roles of this same process, handed over in memory as the processor sends them
 * (ARCHITECTURE.md, "Latency, throughput and memory"): dispatches to this process's dispatcher, replies to this
 * process's ingress. It saves the broker's round trip and a consumer fetch on each of the two hops of a call that end
 * here. Roles that start after the processor attach themselves; until then, and for every other process, the records
 * come through Kafka.
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
    public boolean takes(String topic) {
        return topic.equals(repliesTopic) ? replies != null : topic.equals(dispatchTopic) && dispatcher != null;
    }

    @Override
    public void sending(String topic, int partition, byte[] key, byte[] value, long timestamp, Headers headers) {
        if (topic.equals(repliesTopic)) {
            ReplyListener listener = replies;
            if (listener != null) {
                listener.offer(partition, key, value, headers);
            }
        } else if (topic.equals(dispatchTopic)) {
            Dispatcher local = dispatcher;
            if (local != null) {
                local.offer(partition, value, headers, timestamp);
            }
        }
    }
}

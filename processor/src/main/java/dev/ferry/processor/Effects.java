package dev.ferry.processor;

import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.Target;
import dev.ferry.schemas.commands.Command;
import dev.ferry.schemas.commands.Outcome;
import dev.ferry.schemas.dispatch.AbortAttempt;
import dev.ferry.schemas.dispatch.Dispatch;
import dev.ferry.schemas.replies.Reply;
import dev.ferry.schemas.results.FailedInvocation;
import dev.ferry.schemas.results.InvocationResult;

/** What the state machine asks the outside world to do; the Kafka Streams adapter turns each into a record. */
public interface Effects {
    /** Run an attempt: a record on the dispatch topic. */
    void dispatch(Dispatch dispatch);

    /** Stop an attempt's call: a record on the dispatch topic, for the dispatcher that runs it. */
    void abort(AbortAttempt abort);

    /**
     * Append a command to the command log, on the partition of its invocation: a call or send from a handler, a
     * notification for another invocation's journal.
     */
    void submit(Command command);

    /** Answer a waiting request: a record on the replies topic, keyed by the ingress instance. */
    void reply(String ingressId, Reply reply);

    /** Publish a completed invocation on a results topic (Ferry's, or a subscription's). */
    void publish(String topic, InvocationResult result);

    /** Publish an invocation that failed for good on the dead-letter topic, with its request. */
    void deadLetter(FailedInvocation failed);

    /** An invocation ended (for metrics); nothing to write. */
    default void completed(Target target, Outcome outcome) {}

    /** The command being applied cannot be processed: it goes to the dead-letter topic with this reason. */
    void reject(String reason);

    /** A due timer's work threw (it is removed, its invocation is failed): a record of it goes to the dead-letter topic. */
    default void timerFailed(Timer timer, String reason) {}

    /** Ending an invocation that cannot be processed failed too: only a dead-letter record with the reason is left. */
    default void unprocessable(InvocationId invocationId, String reason) {}
}

package dev.ferry.processor;

import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.commands.Command;
import dev.ferry.schemas.dispatch.AbortAttempt;
import dev.ferry.schemas.dispatch.Dispatch;
import dev.ferry.schemas.replies.Reply;
import dev.ferry.schemas.results.FailedInvocation;
import dev.ferry.schemas.results.InvocationResult;
import java.util.ArrayList;
import java.util.List;

/** Effects collected in lists, for tests to assert on and drain. */
final class RecordingEffects implements Effects {
    final List<Dispatch> dispatches = new ArrayList<>();
    final List<Reply> replies = new ArrayList<>();
    final List<String> replyIngresses = new ArrayList<>();
    final List<String> rejections = new ArrayList<>();
    final List<AbortAttempt> aborts = new ArrayList<>();
    final List<String> publishedTopics = new ArrayList<>();
    final List<InvocationResult> published = new ArrayList<>();
    final List<FailedInvocation> failed = new ArrayList<>();
    final List<Command> submitted = new ArrayList<>();

    final List<String> unprocessable = new ArrayList<>();
    final List<String> failedTimers = new ArrayList<>();
    /** When set, publishing throws it (an effect that cannot be written). */
    RuntimeException publishFailure;

    @Override
    public void submit(Command command) {
        submitted.add(command);
    }

    @Override
    public void unprocessable(InvocationId invocationId, String reason) {
        unprocessable.add(invocationId + ": " + reason);
    }

    @Override
    public void timerFailed(Timer timer, String reason) {
        failedTimers.add(reason);
    }

    @Override
    public void publish(String topic, InvocationResult result) {
        if (publishFailure != null) {
            throw publishFailure;
        }
        publishedTopics.add(topic);
        published.add(result);
    }

    @Override
    public void deadLetter(FailedInvocation failedInvocation) {
        failed.add(failedInvocation);
    }

    @Override
    public void abort(AbortAttempt abort) {
        aborts.add(abort);
    }

    @Override
    public void dispatch(Dispatch dispatch) {
        dispatches.add(dispatch);
    }

    @Override
    public void reply(String ingressId, Reply reply) {
        replyIngresses.add(ingressId);
        replies.add(reply);
    }

    @Override
    public void reject(String reason) {
        rejections.add(reason);
    }

    List<Dispatch> takeDispatches() {
        List<Dispatch> taken = List.copyOf(dispatches);
        dispatches.clear();
        return taken;
    }

    List<Reply> takeReplies() {
        List<Reply> taken = List.copyOf(replies);
        replies.clear();
        replyIngresses.clear();
        return taken;
    }
}

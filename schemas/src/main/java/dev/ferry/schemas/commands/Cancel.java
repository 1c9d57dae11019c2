package dev.ferry.schemas.commands;

import dev.ferry.schemas.InvocationId;

/**
 * Cancels an invocation. One that has not started (scheduled, inboxed) or is between attempts (backing off,
 * paused) ends at once with 409 "Cancelled"; a running one has its call aborted, and ends "Cancelled" unless the
 * service's answer arrives first.
 */
public record Cancel(InvocationId invocationId, ReplyTo replyTo) implements Command {}

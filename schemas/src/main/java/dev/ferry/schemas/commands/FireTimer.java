package dev.ferry.schemas.commands;

import dev.ferry.schemas.InvocationId;
/**
 * The processor's own record: one of its timers is due. The processor does not act on a timer when the wall clock
 * says so, but when it reads this record back from the log, at the record's log-append time. So a timer fires at one
 * place in the partition's order of commands, the same place when a crashed processor's successor processes the log
 * again, and only after every command appended before it (a lease renewal queued behind a backlog, say). A timer
 * that no longer exists or is not due at the record's time is left alone, so a repeated or forged record does nothing.
 *
 * @param kind the timer's kind: {@code START}, {@code RETRY}, {@code LEASE} or {@code EXPIRE}
 * @param attempt the attempt the timer belongs to (0 for a start)
 * @param due when the timer is due, epoch milliseconds of log time
 */
public record FireTimer(InvocationId invocationId, String kind, int attempt, long due) implements Command {}

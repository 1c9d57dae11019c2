package dev.ferry.schemas.journal;

import java.util.List;

/**
 * What an attempt of a service written with a Restate SDK is dispatched with besides its target: everything the
 * service needs to build its {@code StartMessage} and replay the journal. The dispatcher sends the start message and
 * then every entry, in order, and closes its request (request-response mode).
 *
 * @param protocolVersion the service protocol version the invocation runs under (pinned at its first attempt)
 * @param entries the journal so far, the input command first
 * @param state the complete state of the invocation's object or workflow key (empty for a plain service)
 * @param retryCountSinceLastStoredEntry failed attempts in a row since the journal last grew (the SDK counts
 *     {@code ctx.run} retries with it)
 * @param millisSinceLastStoredEntry how long ago the journal last grew
 */
public record JournalReplay(
        int protocolVersion,
        List<JournalEntry> entries,
        List<StateEntry> state,
        int retryCountSinceLastStoredEntry,
        long millisSinceLastStoredEntry) {
    public JournalReplay {
        entries = entries == null ? List.of() : List.copyOf(entries);
        state = state == null ? List.of() : List.copyOf(state);
    }
}

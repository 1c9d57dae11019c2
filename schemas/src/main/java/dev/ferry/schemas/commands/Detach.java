package dev.ferry.schemas.commands;

import dev.ferry.schemas.InvocationId;
/**
 * An ingress instance no longer has a request waiting for the invocation's result (its callers disconnected or
 * stopped waiting), so the processor need not send it the result. Written by the ingress only when its last
 * waiting request for the invocation goes; a request arriving later attaches again, after this in the log.
 */
public record Detach(InvocationId invocationId, String ingressId) implements Command {}

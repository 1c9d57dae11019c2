package dev.ferry.schemas.deployments;

/** How a handler of a keyed service relates to the key's lock, spelled as in the endpoint manifest. */
public enum HandlerType {
    /** Holds the object key: one exclusive invocation per key at a time, in arrival order. */
    EXCLUSIVE,
    /** Runs concurrently with anything on the same key. */
    SHARED,
    /** A workflow's run handler: once per workflow id, holding the key like an exclusive handler. */
    WORKFLOW
}

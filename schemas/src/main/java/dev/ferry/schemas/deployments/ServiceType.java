package dev.ferry.schemas.deployments;

/** The kinds of services of Restate's model, spelled as in the endpoint manifest. */
public enum ServiceType {
    /** Stateless handlers; every invocation runs independently. */
    SERVICE,
    /** Handlers addressed by an object key; exclusive handlers of one key run one at a time. */
    VIRTUAL_OBJECT,
    /** A {@code run} handler that runs once per workflow id, plus shared handlers. */
    WORKFLOW;

    public boolean keyed() {
        return this != SERVICE;
    }

    /** The type as Restate's admin API spells it: {@code Service}, {@code VirtualObject}, {@code Workflow}. */
    public String adminName() {
        return switch (this) {
            case SERVICE -> "Service";
            case VIRTUAL_OBJECT -> "VirtualObject";
            case WORKFLOW -> "Workflow";
        };
    }
}

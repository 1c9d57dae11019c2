package dev.ferry.client;

/**
 * The processor could not be asked: the log could not be reached, this process is shutting down (status 503), or
 * too many requests here wait for one invocation already (status 429). The HTTP ports answer with the status and
 * the message.
 */
public final class ProcessorUnavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;

    public ProcessorUnavailable(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    /** The HTTP status that says it: 503, or 429 for a request that may be tried again once others finished. */
    public int status() {
        return status;
    }
}

package dev.ferry.schemas;

import org.slf4j.MDC;

/**
 * The fields every log line about an invocation carries, as SLF4J's MDC: {@code invocation_id}, {@code service},
 * {@code handler} and {@code attempt}. Set where a thread starts working on one invocation (the ingress handling a
 * request, the processor applying a command, the dispatcher running an attempt) and cleared when it is done; the
 * text log shows them in brackets, the JSON log as fields of {@code mdc}. On the hot path: puts and removes of
 * strings that exist already, nothing formatted.
 */
public final class LogContext {
    public static final String INVOCATION_ID = "invocation_id";
    public static final String SERVICE = "service";
    public static final String HANDLER = "handler";
    public static final String ATTEMPT = "attempt";
    /** The attempt numbers most invocations reach, as text made once. */
    private static final String[] ATTEMPTS = new String[100];

    static {
        for (int i = 0; i < ATTEMPTS.length; i++) {
            ATTEMPTS[i] = Integer.toString(i);
        }
    }

    private LogContext() {}

    /**
     * This thread works on an invocation from now on.
     *
     * @param target  what it calls, or null when the command does not say (the processor learns it from its state)
     * @param attempt the attempt, or 0 when not about one attempt
     */
    public static void enter(String invocationId, Target target, int attempt) {
        MDC.put(INVOCATION_ID, invocationId);
        if (target != null) {
            MDC.put(SERVICE, target.service());
            MDC.put(HANDLER, target.handler());
        }
        if (attempt > 0) {
            MDC.put(ATTEMPT, attempt < ATTEMPTS.length ? ATTEMPTS[attempt] : Integer.toString(attempt));
        }
    }

    /** This thread is done with the invocation. */
    public static void leave() {
        MDC.remove(INVOCATION_ID);
        MDC.remove(SERVICE);
        MDC.remove(HANDLER);
        MDC.remove(ATTEMPT);
    }
}

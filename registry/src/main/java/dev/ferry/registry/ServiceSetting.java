package dev.ferry.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.ferry.registry.ServiceOverrides.InvalidChange;
import dev.ferry.schemas.Durations;
import dev.ferry.schemas.deployments.HandlerManifest;
import dev.ferry.schemas.deployments.RetryPolicy;
import dev.ferry.schemas.deployments.ServiceManifest;
import dev.ferry.schemas.deployments.ServiceType;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * One per-service setting, and the table of them all. Each constant says, for its setting: its name in
 * {@code PATCH /services/{name}} and in the service's JSON view, Ferry's default, what a service's and a handler's
 * manifest declare for it, the field that keeps an operator's change in {@link ServiceOverrides} (none: operators
 * cannot change it) and the services it applies to. Its {@link Kind} says how such values are read from a
 * {@code PATCH}, shown, stored and put over one another.
 *
 * <p>The value in force is Ferry's default, then the service's manifest, then the handler's manifest, then the
 * operator's change, each in place of the ones before ({@link #resolve}). A new setting is a constant here, added to
 * {@link #ALL} and, when operators may change it, to {@link #CHANGEABLE} and {@link #STORED_ORDER}.
 *
 * @param <T> the value in force, as {@link ServiceSettings} holds it
 * @param <D> what one layer declares: a manifest's or an operator's value, in the stored form (milliseconds for
 *     durations, the changed fields of a retry policy); null where the layer leaves the value beneath in force
 */
public final class ServiceSetting<T, D> {

    /** How long a completed idempotent invocation answers repeats of its key. */
    public static final ServiceSetting<Duration, Long> IDEMPOTENCY_RETENTION =
            new ServiceSetting<>("idempotency_retention", Kind.DURATION, Duration.ofDays(1))
                    .declaredBy(ServiceManifest::idempotencyRetention, HandlerManifest::idempotencyRetention)
                    .changeable("idempotencyRetentionMillis");

    /** How long a completed workflow run keeps its workflow id taken. */
    public static final ServiceSetting<Duration, Long> WORKFLOW_COMPLETION_RETENTION =
            new ServiceSetting<>("workflow_completion_retention", Kind.DURATION, Duration.ofDays(1))
                    .declaredBy(ServiceManifest::workflowCompletionRetention,
                            HandlerManifest::workflowCompletionRetention)
                    .changeable("workflowCompletionRetentionMillis")
                    .onlyFor(ServiceType.WORKFLOW);

    /** How long any completed invocation's result stays available to attach and output. */
    public static final ServiceSetting<Duration, Long> JOURNAL_RETENTION =
            new ServiceSetting<>("journal_retention", Kind.DURATION, Duration.ofDays(1))
                    .declaredBy(ServiceManifest::journalRetention, HandlerManifest::journalRetention)
                    .changeable("journalRetentionMillis");

    /** How long one call to the service may take before it is aborted and retried. */
    public static final ServiceSetting<Duration, Long> INACTIVITY_TIMEOUT =
            new ServiceSetting<>("inactivity_timeout", Kind.DURATION, Duration.ofMinutes(1))
                    .declaredBy(ServiceManifest::inactivityTimeout, HandlerManifest::inactivityTimeout)
                    .changeable("inactivityTimeoutMillis");

    /** Restate's abort timeout, shown as the manifest declares it; operators cannot change it. */
    public static final ServiceSetting<Duration, Long> ABORT_TIMEOUT =
            new ServiceSetting<>("abort_timeout", Kind.DURATION, Duration.ofMinutes(10))
                    .declaredBy(ServiceManifest::abortTimeout, HandlerManifest::abortTimeout);

    /** Restate's lazy state, shown as the manifest declares it; operators cannot change it. */
    public static final ServiceSetting<Boolean, Boolean> ENABLE_LAZY_STATE =
            new ServiceSetting<>("enable_lazy_state", Kind.FLAG, false)
                    .declaredBy(ServiceManifest::enableLazyState, HandlerManifest::enableLazyState);

    /** When a failed attempt runs again, and what happens after the last one. */
    public static final ServiceSetting<RetryPolicy, PartialRetryPolicy> RETRY_POLICY =
            new ServiceSetting<>("retry_policy", Kind.RETRY_POLICY, RetryPolicy.DEFAULT)
                    .declaredBy(PartialRetryPolicy::declaredBy, PartialRetryPolicy::declaredBy)
                    .changeable("retryPolicy");

    /** Publish completed invocations on the results topic. */
    public static final ServiceSetting<Boolean, Boolean> PUBLISH_RESULTS =
            new ServiceSetting<>("publish_results", Kind.FLAG, false)
                    .changeable("publishResults");

    /** Publish invocations that failed terminally or were killed on the dead-letter topic. */
    public static final ServiceSetting<Boolean, Boolean> DEAD_LETTER_FAILURES =
            new ServiceSetting<>("dead_letter_failures", Kind.FLAG, false)
                    .changeable("deadLetterFailures");

    /** Check request bodies against the handler's input JSON Schema at the ingress (false: Restate's behaviour). */
    public static final ServiceSetting<Boolean, Boolean> VALIDATE_INPUT =
            new ServiceSetting<>("validate_input", Kind.FLAG, true)
                    .changeable("validateInput");

    /**
     * A repeated idempotency key with a different request is answered 422 instead of with the first request's
     * result. Null (not set) acts as false, and is not shown.
     */
    public static final ServiceSetting<Boolean, Boolean> REJECT_CHANGED_REQUESTS =
            new ServiceSetting<>("reject_changed_requests", Kind.FLAG, null)
                    .changeable("rejectChangedRequests");

    /**
     * Calls and attaches answer 202 with the invocation id after this long instead of holding the connection until
     * the result. Null (not set) is no limit, and is not shown.
     */
    public static final ServiceSetting<Duration, Long> MAX_WAIT =
            new ServiceSetting<>("max_wait", Kind.DURATION, null)
                    .changeable("maxWaitMillis");

    /** Every setting, in the order the service's JSON view shows them: Restate's order, then Ferry's settings. */
    public static final List<ServiceSetting<?, ?>> ALL = List.of(
            IDEMPOTENCY_RETENTION, WORKFLOW_COMPLETION_RETENTION, JOURNAL_RETENTION, INACTIVITY_TIMEOUT,
            ABORT_TIMEOUT, ENABLE_LAZY_STATE, RETRY_POLICY, PUBLISH_RESULTS, DEAD_LETTER_FAILURES, VALIDATE_INPUT,
            REJECT_CHANGED_REQUESTS, MAX_WAIT);

    /**
     * The settings an operator may change, in the order an unknown setting's answer lists them (kept as the
     * {@code PATCH} always listed them).
     */
    public static final List<ServiceSetting<?, ?>> CHANGEABLE = List.of(
            IDEMPOTENCY_RETENTION, JOURNAL_RETENTION, WORKFLOW_COMPLETION_RETENTION, INACTIVITY_TIMEOUT, RETRY_POLICY,
            MAX_WAIT, REJECT_CHANGED_REQUESTS, PUBLISH_RESULTS, DEAD_LETTER_FAILURES, VALIDATE_INPUT);

    /**
     * The changeable settings in the order their fields are written in a stored {@link ServiceOverrides}: the order
     * of the record that wrote them before this table, so a record is written byte for byte as it was. New settings
     * go at the end.
     */
    static final List<ServiceSetting<?, ?>> STORED_ORDER = List.of(
            IDEMPOTENCY_RETENTION, JOURNAL_RETENTION, WORKFLOW_COMPLETION_RETENTION, REJECT_CHANGED_REQUESTS, MAX_WAIT,
            INACTIVITY_TIMEOUT, RETRY_POLICY, PUBLISH_RESULTS, DEAD_LETTER_FAILURES, VALIDATE_INPUT);

    private final String name;
    private final Kind<T, D> kind;
    private final T ferryDefault;
    private final Function<ServiceManifest, D> declaredByService;
    private final Function<HandlerManifest, D> declaredByHandler;
    private final String storedField;
    private final ServiceType onlyFor;

    private ServiceSetting(String name, Kind<T, D> kind, T ferryDefault) {
        this(name, kind, ferryDefault, service -> null, handler -> null, null, null);
    }

    private ServiceSetting(String name, Kind<T, D> kind, T ferryDefault, Function<ServiceManifest, D> declaredByService,
            Function<HandlerManifest, D> declaredByHandler, String storedField, ServiceType onlyFor) {
        this.name = name;
        this.kind = kind;
        this.ferryDefault = ferryDefault;
        this.declaredByService = declaredByService;
        this.declaredByHandler = declaredByHandler;
        this.storedField = storedField;
        this.onlyFor = onlyFor;
    }

    /** This setting, declared in manifests (Restate's manifest fields, for the service and for one handler). */
    private ServiceSetting<T, D> declaredBy(Function<ServiceManifest, D> service,
            Function<HandlerManifest, D> handler) {
        return new ServiceSetting<>(name, kind, ferryDefault, service, handler, storedField, onlyFor);
    }

    /** This setting, changeable by operators, their change kept in the stored overrides' field {@code field}. */
    private ServiceSetting<T, D> changeable(String field) {
        return new ServiceSetting<>(name, kind, ferryDefault, declaredByService, declaredByHandler, field, onlyFor);
    }

    /** This setting, meaningful only for services of {@code type}: shown and changeable for those only. */
    private ServiceSetting<T, D> onlyFor(ServiceType type) {
        return new ServiceSetting<>(name, kind, ferryDefault, declaredByService, declaredByHandler, storedField, type);
    }

    /** The setting's name in {@code PATCH /services/{name}} and in the service's JSON view. */
    public String name() {
        return name;
    }

    /** Ferry's own default, before any configuration; null for "not set". */
    public T ferryDefault() {
        return ferryDefault;
    }

    /** Whether an operator may change it with {@code PATCH /services/{name}}. */
    public boolean changeable() {
        return storedField != null;
    }

    /** Whether a service of {@code type} has this setting: it is shown for it, and may be changed for it. */
    public boolean appliesTo(ServiceType type) {
        return onlyFor == null || onlyFor == type;
    }

    /** The changeable setting with this name in {@code PATCH}. */
    public static Optional<ServiceSetting<?, ?>> changeableNamed(String name) {
        return CHANGEABLE.stream().filter(s -> s.name.equals(name)).findFirst();
    }

    /**
     * The value in force: {@code configured} (Ferry's default, or the configuration's), then what the service's
     * manifest declares, then the handler's manifest, then the operator's change, each in place of the ones before.
     * Each layer may be null (none).
     */
    T resolve(T configured, ServiceManifest service, HandlerManifest handler, ServiceOverrides overrides) {
        T value = configured;
        value = overriddenBy(value, service == null ? null : declaredByService.apply(service));
        value = overriddenBy(value, handler == null ? null : declaredByHandler.apply(handler));
        return overriddenBy(value, overrides == null ? null : overrides.get(this));
    }

    private T overriddenBy(T value, D declared) {
        return declared == null ? value : kind.overriddenBy().apply(value, declared);
    }

    /**
     * Reads an operator's {@code PATCH} value for this setting of {@code service}; JSON null returns to the
     * manifest's value or the default. {@code current} is the operator's change so far (a retry policy keeps the
     * fields not named).
     *
     * @throws InvalidChange saying what is wrong, as the admin API answers it
     */
    D parse(JsonNode value, D current, ServiceManifest service) {
        if (!appliesTo(service.ty())) {
            throw new InvalidChange(name + " applies to " + plural(onlyFor) + " only, and " + service.name()
                    + " is a " + service.ty().adminName());
        }
        return kind.parser().parse(name, value, current);
    }

    /** The value as the service's JSON view shows it. */
    JsonNode view(T value) {
        return kind.view().apply(value);
    }

    String storedField() {
        return storedField;
    }

    Class<D> storedType() {
        return kind.storedType();
    }

    private static String plural(ServiceType type) {
        return switch (type) {
            case SERVICE -> "services";
            case VIRTUAL_OBJECT -> "virtual objects";
            case WORKFLOW -> "workflows";
        };
    }

    @Override
    public String toString() {
        return name;
    }

    /** Reads one {@code PATCH} value into the stored form. */
    @FunctionalInterface
    interface Parser<D> {
        /**
         * @param field the setting's name, for the message
         * @param current the operator's change so far, null if none
         */
        D parse(String field, JsonNode value, D current);
    }

    /**
     * How values of one type are stored, put over the value beneath, read from a {@code PATCH} and shown.
     *
     * @param storedType the stored form, also what manifests declare
     * @param overriddenBy the value beneath with a (non-null) declaration put in its place
     */
    record Kind<T, D>(Class<D> storedType, BiFunction<T, D, T> overriddenBy, Parser<D> parser,
            Function<T, JsonNode> view) {
        /** Milliseconds when stored and declared; text such as {@code "1d"} or {@code "PT1H"} in a PATCH and view. */
        static final Kind<Duration, Long> DURATION = new Kind<>(Long.class,
                (value, millis) -> Duration.ofMillis(millis),
                (field, value, current) -> durationMillis(field, value),
                value -> TextNode.valueOf(Durations.format(value)));

        static final Kind<Boolean, Boolean> FLAG = new Kind<>(Boolean.class,
                (value, declared) -> declared,
                (field, value, current) -> flag(field, value),
                BooleanNode::valueOf);

        /** Each field on its own: a layer changes some fields and keeps the others (see {@link PartialRetryPolicy}). */
        static final Kind<RetryPolicy, PartialRetryPolicy> RETRY_POLICY = new Kind<>(PartialRetryPolicy.class,
                (value, declared) -> declared.appliedTo(value),
                (field, value, current) -> PartialRetryPolicy.parse(value, current),
                PartialRetryPolicy::view);
    }

    static Boolean flag(String field, JsonNode value) {
        if (!value.isNull() && !value.isBoolean()) {
            throw new InvalidChange(field + " must be true, false or null");
        }
        return value.isNull() ? null : value.asBoolean();
    }

    static Long durationMillis(String field, JsonNode value) {
        if (value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new InvalidChange(field + " must be a duration such as \"1d\", \"30m\" or \"PT1H\"");
        }
        try {
            return Durations.parse(value.asText()).toMillis();
        } catch (IllegalArgumentException e) {
            throw new InvalidChange("invalid " + field + ": " + e.getMessage());
        }
    }
}

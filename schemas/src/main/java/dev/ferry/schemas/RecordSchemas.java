package dev.ferry.schemas;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON Schemas of Ferry's records ({@code schemas/v1/*.json} in this module's resources, the public contract
 * for producers that write to the command log directly), and validation against them.
 */
public final class RecordSchemas {
    public static final String BASE = "https://ferry.dev/schemas/v1/";

    private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            builder -> builder.schemaIdResolvers(ids -> ids.mapPrefix(BASE, "classpath:schemas/v1/")));
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();
    private static final Pattern TYPE_NAME = Pattern.compile("[A-Za-z]+");
    /**
     * The validator reads with its own Jackson (3), whose defaults stop at 100,000,000 characters per string and
     * 500 levels of nesting: read records with {@link Json}'s limits instead, so every record Ferry can read is also
     * one it can validate.
     */
    private static final JsonMapper READER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxStringLength(Json.READ_CONSTRAINTS.getMaxStringLength())
                            .maxDocumentLength(Json.READ_CONSTRAINTS.getMaxDocumentLength())
                            .maxNestingDepth(Json.READ_CONSTRAINTS.getMaxNestingDepth())
                            .maxNumberLength(Json.READ_CONSTRAINTS.getMaxNumberLength())
                            .maxNameLength(Json.READ_CONSTRAINTS.getMaxNameLength())
                            .build())
                    .build())
            .build();

    /**
     * Reads JSON for the validator (Jackson 3) with the limits {@link Json} reads with.
     *
     * @throws tools.jackson.core.JacksonException when it is not one well-formed JSON value within them
     */
    public static JsonNode readForValidation(String json) {
        return READER.readTree(json);
    }

    /** The schema of a record type ({@code Invoke}, {@code Completion}, ...); null for a type with none. */
    public Schema schema(String type) {
        // The processor asks once per command: a known type is one map lookup. Unknown names (any producer can
        // write one) are checked each time rather than remembered, so they cannot grow the map.
        Schema known = type == null ? null : schemas.get(type);
        if (known != null) {
            return known;
        }
        if (type == null || !TYPE_NAME.matcher(type).matches()
                || getClass().getResource("/schemas/v1/" + type + ".json") == null) {
            return null;
        }
        return schemas.computeIfAbsent(type, t -> registry.getSchema(SchemaLocation.of(BASE + t + ".json")));
    }

    /**
     * What is wrong with a record of type {@code type}, one line per problem ("$.target.service: required
     * property 'service' not found"); empty when the record is valid.
     */
    public List<String> problems(String type, String json) {
        JsonNode tree;
        try {
            tree = READER.readTree(json);
        } catch (RuntimeException e) {
            return schema(type) == null ? List.of("unknown record type '" + type + "'")
                    : List.of("not JSON: " + e.getMessage());
        }
        return problems(type, tree);
    }

    /** As {@link #problems(String, String)}, for a record already read with {@link #readForValidation}. */
    public List<String> problems(String type, JsonNode tree) {
        Schema schema = schema(type);
        if (schema == null) {
            return List.of("unknown record type '" + type + "'");
        }
        List<Error> errors = schema.validate(tree);
        return errors.stream().map(Error::toString).toList();
    }

    /**
     * Reads a record's bytes for the validator (Jackson 3) with the limits {@link Json} reads with.
     *
     * @throws tools.jackson.core.JacksonException when it is not one well-formed JSON value within them
     */
    public static JsonNode readForValidation(byte[] json) {
        return READER.readTree(json);
    }
}

package dev.ferry.schemas;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The JSON Schemas of Ferry's records ({@code schemas/v1/*.json} in this module's resources, the public contract
 * for producers that write to the command log directly), and validation against them.
 */
public final class RecordSchemas {
    public static final String BASE = "https://ferry.dev/schemas/v1/";

    private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            builder -> builder.schemaIdResolvers(ids -> ids.mapPrefix(BASE, "classpath:schemas/v1/")));
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

    /** The schema of a record type ({@code Invoke}, {@code Completion}, ...); null for a type with none. */
    public Schema schema(String type) {
        if (type == null || !type.matches("[A-Za-z]+") || getClass().getResource("/schemas/v1/" + type + ".json") == null) {
            return null;
        }
        return schemas.computeIfAbsent(type, t -> registry.getSchema(SchemaLocation.of(BASE + t + ".json")));
    }

    /**
     * What is wrong with a record of type {@code type}, one line per problem ("$.target.service: required
     * property 'service' not found"); empty when the record is valid.
     */
    public List<String> problems(String type, String json) {
        Schema schema = schema(type);
        if (schema == null) {
            return List.of("unknown record type '" + type + "'");
        }
        List<Error> errors = schema.validate(json, InputFormat.JSON);
        return errors.stream().map(Error::toString).toList();
    }
}

package dev.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Text in aligned columns, as {@code kubectl get} and {@code docker ps} print it: a header in capitals, columns two
 * spaces apart, no trailing blanks, {@code -} for an absent value. Each cell is one line.
 */
final class Table {
    static final String ABSENT = "-";
    private static final String GAP = "  ";

    private final List<String[]> lines = new ArrayList<>();
    private final int columns;
    /** Tables printed below this one, each after an empty line. */
    private final List<Table> below = new ArrayList<>();

    private Table(int columns) {
        this.columns = columns;
    }

    /** A table with this header. */
    static Table of(String... header) {
        Table table = new Table(header.length);
        table.lines.add(header);
        return table;
    }

    /** Two columns without a header: a field's name and its value, for one resource ({@code show}). */
    static Table fields() {
        return new Table(2);
    }

    /**
     * The fields of a JSON object but those skipped, each with {@link #text(JsonNode)} of its value, in the object's
     * order.
     */
    static Table fieldsOf(JsonNode object, Set<String> skip) {
        Table table = fields();
        for (Map.Entry<String, JsonNode> field : object.properties()) {
            if (!skip.contains(field.getKey())) {
                table.row(field.getKey(), text(field.getValue()));
            }
        }
        return table;
    }

    Table row(String... cells) {
        if (cells.length != columns) {
            throw new IllegalArgumentException("a row of " + cells.length + " cells in a table of " + columns);
        }
        lines.add(Arrays.stream(cells).map(Table::cell).toArray(String[]::new));
        return this;
    }

    /** This table, then {@code next} below it after an empty line (a resource's fields, then a list it holds). */
    Table then(Table next) {
        below.add(next);
        return this;
    }

    /** The table, each line ending in a newline. */
    String render() {
        int[] widths = new int[columns];
        for (String[] line : lines) {
            for (int i = 0; i < columns; i++) {
                widths[i] = Math.max(widths[i], line[i].codePointCount(0, line[i].length()));
            }
        }
        StringBuilder text = new StringBuilder();
        for (String[] line : lines) {
            StringBuilder row = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                row.append(line[i]);
                if (i < columns - 1) {
                    row.append(" ".repeat(widths[i] - line[i].codePointCount(0, line[i].length()))).append(GAP);
                }
            }
            text.append(row.toString().stripTrailing()).append('\n');
        }
        below.forEach(table -> text.append('\n').append(table.render()));
        return text.toString();
    }

    /**
     * A JSON value as one cell: text as it is, a failure ({@code {"code":500,"message":…}}) as {@code 500 message},
     * a list of names ({@code [{"name":"Greeter"},…]}) as {@code Greeter, …}, anything else as its JSON.
     */
    static String text(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return ABSENT;
        }
        if (value.isValueNode()) {
            return value.asText();
        }
        if (value.isObject() && value.has("code") && value.has("message") && value.size() <= 3) {
            return value.get("code").asText() + " " + value.get("message").asText();
        }
        if (value.isArray() && !value.isEmpty()) {
            List<String> names = new ArrayList<>();
            for (JsonNode item : value) {
                if (!item.path("name").isTextual()) {
                    return value.toString();
                }
                names.add(item.get("name").asText());
            }
            return String.join(", ", names);
        }
        return value.toString();
    }

    /** At most {@code max} characters, cut with an ellipsis. */
    static String cut(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }

    /** One line: line breaks and other control characters become spaces; empty is {@link #ABSENT}. */
    private static String cell(String text) {
        if (text == null || text.isEmpty()) {
            return ABSENT;
        }
        return text.codePoints().map(c -> Character.isISOControl(c) ? ' ' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }
}

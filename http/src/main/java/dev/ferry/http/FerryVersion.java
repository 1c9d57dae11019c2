package dev.ferry.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The version of this build of Ferry: Maven's project version and the git commit its sources were at, stamped into
 * {@code ferry-version.properties} by the build. {@code GET /version} answers it, the UI shows it and the startup
 * log names it.
 *
 * @param version the project version, e.g. {@code 0.1.0-SNAPSHOT}
 * @param commit  the abbreviated id of the commit the sources were at (uncommitted changes are not marked); empty
 *                when they were not a git checkout
 */
public record FerryVersion(String version, String commit) {
    private static final FerryVersion CURRENT = load();

    /** The version of the running build. */
    public static FerryVersion current() {
        return CURRENT;
    }

    /** {@code 0.1.0-SNAPSHOT (3f2a9c1b0e)}, or the version alone without a commit. */
    @Override
    public String toString() {
        return commit.isEmpty() ? version : version + " (" + commit + ")";
    }

    private static FerryVersion load() {
        Properties stamp = new Properties();
        try (InputStream in = FerryVersion.class.getResourceAsStream("ferry-version.properties")) {
            if (in == null) {
                throw new IllegalStateException("ferry-version.properties is missing from the build");
            }
            stamp.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new FerryVersion(filled(stamp.getProperty("version")), filled(stamp.getProperty("commit")));
    }

    /** A property the build had nothing for stays {@code ${...}}: that is no value. */
    private static String filled(String value) {
        return value == null || value.startsWith("${") ? "" : value.trim();
    }
}

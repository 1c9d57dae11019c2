package dev.ferry.schemas;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Ids of registry resources in Restate's format: a type prefix ({@code dp}, {@code sub}), {@code _}, version
 * {@code 1} and 22 base62 digits of a 128-bit value, e.g. {@code dp_17ARWgSry2nR3qNi0yL6kSt}.
 */
public final class ResourceId {
    public static final String DEPLOYMENT = "dp";
    public static final String SUBSCRIPTION = "sub";

    private ResourceId() {}

    public static String random(String type) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        StringBuilder out = new StringBuilder(type).append("_1");
        Base62.appendU128(out, random.nextLong(), random.nextLong());
        return out.toString();
    }

    /**
     * Checks the textual form.
     *
     * @throws InvocationId.InvalidIdException with Restate's reason ("bad length", "unrecognized codec version",
     *     ...)
     */
    public static void validate(String type, String text) {
        int separator = text.indexOf('_');
        if (separator < 0) {
            throw new InvocationId.InvalidIdException("bad format");
        }
        if (!text.substring(0, separator).equals(type)) {
            throw new InvocationId.InvalidIdException("id doesn't match the expected type");
        }
        int at = separator + 1;
        if (text.length() <= at) {
            throw new InvocationId.InvalidIdException("bad length");
        }
        if (text.charAt(at) != '1') {
            throw new InvocationId.InvalidIdException("unrecognized codec version");
        }
        if (text.length() != at + 1 + Base62.U128_WIDTH) {
            throw new InvocationId.InvalidIdException("bad length");
        }
        try {
            Base62.parseU128(text, at + 1);
        } catch (IllegalArgumentException e) {
            throw new InvocationId.InvalidIdException("base62 decode error");
        }
    }
}

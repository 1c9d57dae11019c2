package dev.ferry.schemas;

import dev.ferry.schemas.commands.Header;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;

/**
 * How text and bytes that an HTTP header cannot carry as they are reach a service. An HTTP header value is, in
 * practice, printable ASCII: the JDK's client refuses characters outside Latin-1, and control characters (a
 * newline) would end the header. Keys and Kafka record headers are any UTF-8 text or even any bytes, so:
 *
 * <ul>
 *   <li>the object key or workflow id ({@code x-restate-key}) and the idempotency key ({@code idempotency-key})
 *       are sent {@linkplain #percentEncode percent-encoded} as UTF-8 (RFC 3986): plain keys like
 *       {@code my-counter} are unchanged; a service decodes them with {@code decodeURIComponent},
 *       {@code URLDecoder} (after turning {@code +} into {@code %2B}) or {@code urllib.parse.unquote};
 *   <li>any other header value that is not printable ASCII (non-ASCII text, control characters, bytes that are
 *       not UTF-8) is sent {@linkplain #forHttp base64-encoded under its name with {@code -bin} appended}, gRPC's
 *       convention: {@code x-trace: 漢} arrives as {@code x-trace-bin: 5ryi}.
 * </ul>
 */
public final class HeaderValues {
    /** Appended to the name of a header whose value is sent base64-encoded. */
    public static final String BINARY_SUFFIX = "-bin";

    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    private HeaderValues() {}

    /**
     * RFC 3986 percent-encoding of the text's UTF-8 bytes: the unreserved characters ({@code A-Z a-z 0-9 - . _ ~})
     * stay as they are, every other byte becomes {@code %XX}. A space is {@code %20}, never {@code +}.
     */
    public static String percentEncode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(bytes.length + 8);
        for (byte b : bytes) {
            int c = b & 0xff;
            if (unreserved(c)) {
                out.append((char) c);
            } else {
                out.append('%').append(HEX.toHexDigits((byte) c));
            }
        }
        return out.toString();
    }

    /**
     * The inverse of {@link #percentEncode}: every {@code %XX} becomes its byte and the bytes are read as UTF-8;
     * a {@code +} stays a plus.
     *
     * @throws IllegalArgumentException for a malformed escape or bytes that are not UTF-8
     */
    public static String percentDecode(String text) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%') {
                if (i + 2 >= text.length() || !HexFormat.isHexDigit(text.charAt(i + 1))
                        || !HexFormat.isHexDigit(text.charAt(i + 2))) {
                    throw new IllegalArgumentException("malformed percent-encoding in '" + text + "'");
                }
                bytes.write(HexFormat.fromHexDigits(text, i + 1, i + 3));
                i += 2;
            } else {
                byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(encoded, 0, encoded.length);
            }
        }
        String decoded = Payload.utf8OrNull(bytes.toByteArray());
        if (decoded == null) {
            throw new IllegalArgumentException("percent-encoding in '" + text + "' is not UTF-8");
        }
        return decoded;
    }

    /** True when every character is printable ASCII (space to {@code ~}): such a value travels in a header as is. */
    public static boolean printableAscii(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    /**
     * The header a name and value become on an HTTP request: as they are when the value is printable ASCII,
     * otherwise (and always for a name that already ends in {@code -bin}) the value base64-encoded (RFC 4648, with
     * padding) under the name with {@code -bin} appended. Names are lower case.
     */
    public static Header forHttp(String name, byte[] value) {
        String lower = name.toLowerCase(Locale.ROOT);
        boolean binaryName = lower.endsWith(BINARY_SUFFIX);
        if (!binaryName) {
            String text = Payload.utf8OrNull(value);
            if (text != null && printableAscii(text)) {
                return new Header(lower, text);
            }
        }
        return new Header(binaryName ? lower : lower + BINARY_SUFFIX, Base64.getEncoder().encodeToString(value));
    }


    private static boolean unreserved(int c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~';
    }
}

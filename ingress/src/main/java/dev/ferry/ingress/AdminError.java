package dev.ferry.ingress;

/**
 * An error answer of the admin API, in Restate's admin shape {@code {"message":"…","restate_code":…}}, or as
 * plain text where Restate answers in plain text (request bodies it cannot parse).
 */
public final class AdminError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String restateCode;
    private final boolean plainText;

    private AdminError(int status, String message, String restateCode, boolean plainText) {
        super(message, null, false, false);
        this.status = status;
        this.restateCode = restateCode;
        this.plainText = plainText;
    }

    public static AdminError json(int status, String message) {
        return new AdminError(status, message, null, false);
    }

    public static AdminError json(int status, String message, String restateCode) {
        return new AdminError(status, message, restateCode, false);
    }

    public static AdminError text(int status, String message) {
        return new AdminError(status, message, null, true);
    }

    public int status() {
        return status;
    }

    public String restateCode() {
        return restateCode;
    }

    public boolean plainText() {
        return plainText;
    }
}

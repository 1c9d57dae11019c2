package dev.ferry.cli;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * The command line's settings: which Ferry's admin API it talks to, and with what token. Each is an environment
 * variable that its flag overrides for one command. The token is the server's own {@code FERRY_ADMIN_TOKEN} (the
 * server's {@code Setting.ADMIN_TOKEN} takes its name from here): a shell that starts Ferry with a token can also
 * manage it.
 */
public enum CliSetting {
    ADMIN_URL("FERRY_ADMIN_URL", "--admin-url", "http://127.0.0.1:9070",
            "Base URL of the admin API that `ferry invocations|services|deployments|subscriptions` talk to."),
    ADMIN_TOKEN("FERRY_ADMIN_TOKEN", "--token", "",
            "Bearer token of the admin API; the command line sends it as `Authorization: Bearer <token>`.");

    private final String env;
    private final String flag;
    private final String defaultValue;
    private final String description;

    CliSetting(String env, String flag, String defaultValue, String description) {
        this.env = env;
        this.flag = flag;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    public String env() {
        return env;
    }

    /** The flag that overrides the variable for one command. */
    public String flag() {
        return flag;
    }

    public String defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    /** The variable's value when set and not empty, else the default. */
    String value(Map<String, String> environment) {
        String value = environment.get(env);
        return value == null || value.isEmpty() ? defaultValue : value;
    }

    static Optional<CliSetting> ofFlag(String flag) {
        return Arrays.stream(values()).filter(setting -> setting.flag.equals(flag)).findFirst();
    }
}

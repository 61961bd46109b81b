package dev.vigil.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.Locale;
import java.util.Map;

/**
 * Lets every long option come from the environment, the streams-bootstrap way:
 * {@code --bootstrap-servers} reads {@code VIGIL_BOOTSTRAP_SERVERS}. A flag on the command line
 * wins over the environment, which wins over the built-in default.
 */
public final class EnvironmentDefaults implements CommandLine.IDefaultValueProvider {
    private final Map<String, String> env;

    public EnvironmentDefaults(final Map<String, String> env) {
        this.env = env;
    }

    /** {@code --bootstrap-servers} to {@code VIGIL_BOOTSTRAP_SERVERS}. */
    public static String variableFor(final String longOption) {
        return "VIGIL_" + longOption.replaceFirst("^-+", "").replace('-', '_').toUpperCase(Locale.ROOT);
    }

    @Override
    public String defaultValue(final ArgSpec argSpec) {
        if (argSpec instanceof OptionSpec option) {
            final String value = env.get(variableFor(option.longestName()));
            if (value != null) {
                return value;
            }
        }
        return argSpec.defaultValue();
    }
}

package dev.vigil.classify;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The labelled sources the linear heads may learn from, and whether their licences allow what
 * shipping the weights does: every deployment redistributes the trained weights, a work derived
 * from the data. Sources that are non-commercial, or state no licence at all, are research-only:
 * they are measured against, and trained on only with {@code vigil train --research-data}, whose
 * model card says so (docs/classifier.md, "Model card").
 */
enum TrainingSource {
    SST5("sentiment-sst5", null, "Stanford Sentiment Treebank SST-5", "no licence stated", false),
    GOEMOTIONS("polarity-goemotions", null, "GoEmotions", "Apache-2.0", true),
    DAILYDIALOG("polarity-dailydialog", null, "DailyDialog", "CC BY-NC-SA 4.0", false),
    CSSRS("crisis-cssrs", null, "Reddit C-SSRS", "CC BY 4.0", true),
    ESCONV("affective", "esconv-", "ESConv", "CC BY-NC 4.0", false),
    ANNOMI("affective", "annomi-", "AnnoMI", "no licence stated", false),
    COUNSEL_CHAT("affective", "counselchat-", "Counsel Chat", "MIT", true),
    MTBENCH("affective", "mtbench-", "MT-Bench questions", "Apache-2.0", true),
    XSTEST_PROMPTS("affective", "xstest-", "XSTest safe prompts", "CC BY 4.0", true),
    XSTEST("pushback-xstest", null, "XSTest v2 completions and labels", "CC BY 4.0", true),
    COCONOT("pushback-coconot", null, "CoCoNot", "ODC-BY", true);

    final String folder;
    /** Conversation id prefix within a folder that holds several sources; null for the whole folder. */
    final String prefix;
    final String title;
    final String licence;
    /** Whether the licence allows redistributing weights trained on it, commercial use included. */
    final boolean redistributable;

    TrainingSource(final String folder, final String prefix, final String title, final String licence,
                   final boolean redistributable) {
        this.folder = folder;
        this.prefix = prefix;
        this.title = title;
        this.licence = licence;
        this.redistributable = redistributable;
    }

    /** The sources whose licences allow shipping the weights: what {@code vigil train} uses by default. */
    static Set<TrainingSource> redistributable() {
        return EnumSet.copyOf(List.of(values()).stream().filter(s -> s.redistributable).toList());
    }

    /** Every source, research-only ones included ({@code vigil train --research-data}). */
    static Set<TrainingSource> all() {
        return EnumSet.allOf(TrainingSource.class);
    }

    /** The source of a conversation in {@code folder}, or null if none is registered for it. */
    static TrainingSource of(final String folder, final String conversationId) {
        for (final TrainingSource s : values()) {
            if (s.folder.equals(folder) && (s.prefix == null || conversationId.startsWith(s.prefix))) {
                return s;
            }
        }
        return null;
    }

    /** The research-only sources in {@code sources}, for the model card; empty for a shippable model. */
    static Set<TrainingSource> researchOnly(final Set<TrainingSource> sources) {
        return sources.stream().filter(s -> !s.redistributable)
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(TrainingSource.class)));
    }

    /** "ESConv (CC BY-NC 4.0)". */
    String label() {
        return title + " (" + licence + ")";
    }

    String key() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}

package dev.vigil.classify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.schema.ConversationEvent;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Error-analysis aid: for each crisis phrase pattern, how many at-risk and not-at-risk users it fires for. */
final class PatternStats {
    private PatternStats() {
    }

    public static void main(final String[] args) throws Exception {
        final LabelledData d = LabelledData.read(Path.of(args[0]));
        final Tokens t = new Tokens();
        final CueHits hits = new CueHits();
        for (final Phrases.Pattern p : Cues.standard().patterns()) {
            if (!p.cue().crisis()) {
                continue;
            }
            final Phrases one = new Phrases(List.of(p));
            final Set<String> risk = new HashSet<>();
            final Set<String> safe = new HashSet<>();
            for (final ConversationEvent e : d.events) {
                t.read(e.getText());
                hits.clear();
                one.match(t, hits);
                if (hits.has(p.cue())) {
                    final JsonNode l = d.byConversation.get(e.getConversationId());
                    (l.get("at_risk").asBoolean() ? risk : safe).add(e.getConversationId());
                }
            }
            if (!risk.isEmpty() || !safe.isEmpty()) {
                System.out.printf(Locale.ROOT, "%3d %3d  %-16s %s%n", risk.size(), safe.size(), p.cue(), p.source());
            }
        }
    }
}

package dev.vigil.classify;

import dev.vigil.abuse.SimHash;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.Random;

/** Where a message's classification time goes, stage by stage (CPU time, one thread); a profiling aid. */
final class ComponentTimings {
    private ComponentTimings() {
    }

    public static void main(final String[] args) {
        final String[] words = ("i you we they it the a an and but or so because when if not really very just feel "
                + "feeling think know want need help please thanks sorry work job friend family day night week time "
                + "life people love hate happy sad tired anxious stress sleep talk python code error function data "
                + "file list write story email plan idea problem question answer good bad great terrible fine okay "
                + "maybe never always sometimes today tomorrow").split(" ");
        final Random random = new Random(42);
        final String[] texts = new String[1024];
        for (int i = 0; i < texts.length; i++) {
            final StringBuilder b = new StringBuilder();
            for (int w = 0; w < 100; w++) {
                b.append(words[random.nextInt(words.length)]).append(w % 12 == 11 ? ". " : " ");
            }
            texts[i] = b.toString();
        }
        final StandardClassifier c = (StandardClassifier) Classifiers.standard();
        final StandardClassifier.Workspace ws = new StandardClassifier.Workspace();
        final Phrases phrases = Cues.standard();
        final SentimentLexicon lexicon = SentimentLexicon.load();
        final LinearModels models = LinearModels.load();
        final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        final int n = 300_000;
        for (int round = 0; round < 3; round++) {
            long t0 = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) {
                ws.tokens.read(texts[i & 1023]);
            }
            long t1 = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) {
                ws.tokens.read(texts[i & 1023]);
                ws.cues.clear();
                phrases.match(ws.tokens, ws.cues);
            }
            long t2 = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) {
                ws.tokens.read(texts[i & 1023]);
                lexicon.score(ws.tokens, ws.lex);
                ws.features.build(ws.tokens, ws.cues, ws.lex, 0);
            }
            long t3 = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) {
                models.score(ws.features, ws.logits);
            }
            long t4 = mx.getCurrentThreadCpuTime();
            long sink = 0;
            for (int i = 0; i < n; i++) {
                sink += SimHash.ofText(texts[i & 1023]);
            }
            long t5 = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) {
                c.analyse(texts[i & 1023], ws);
            }
            long t6 = mx.getCurrentThreadCpuTime();
            System.out.printf(Locale.ROOT, "per message, microseconds: tokens %.2f  +phrases %.2f  +lexicon+features %.2f"
                    + "  score %.2f  simhash %.2f  analyse(all) %.2f  (%d)%n",
                    (t1 - t0) / 1e3 / n, (t2 - t1) / 1e3 / n, (t3 - t2) / 1e3 / n, (t4 - t3) / 1e3 / n,
                    (t5 - t4) / 1e3 / n, (t6 - t5) / 1e3 / n, sink & 1);
        }
    }
}

package dev.vigil.classify.bench;

import dev.vigil.abuse.SimHash;
import dev.vigil.classify.Classifiers;
import dev.vigil.classify.EncoderBudget;
import dev.vigil.classify.MessageClassifier;
import dev.vigil.schema.ConversationEvent;
import dev.vigil.schema.MessageSignals;
import dev.vigil.schema.Role;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Instant;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Throughput of the shipped classifier, all heads together, on one thread, for messages of about
 * 100 tokens. Conversations have {@value #MESSAGES_PER_CONVERSATION} messages and a new
 * conversation starts every {@value #MESSAGES_PER_CONVERSATION} messages, so language detection
 * runs once per conversation, as in the stream (the pool of conversation ids is larger than the
 * language cache, so ids are never already cached when they come round again).
 *
 * <p>Run from the repository root:
 * <pre>
 * mvn -B -q -pl streams-app -am test-compile
 * mvn -B -q -pl streams-app dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -cp streams-app/target/test-classes:streams-app/target/classes:schemas/target/classes:$(cat streams-app/target/cp.txt) \
 *      org.openjdk.jmh.Main ClassifierBenchmark -f 5
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(5)
@Threads(1)
public class ClassifierBenchmark {
    static final int MESSAGES_PER_CONVERSATION = 20;
    /** Distinct conversation ids; more than the language cache holds (100,000). */
    static final int CONVERSATIONS = 300_000;
    static final int TEXTS = 4096;

    private static final String[] WORDS = ("i you we they it the a an and but or so because when if not "
            + "really very just feel feeling think know want need help please thanks sorry work job friend "
            + "family day night week time life people love hate happy sad tired anxious stress sleep talk "
            + "python code error function data file list write story email plan idea problem question answer "
            + "good bad great terrible fine okay maybe never always sometimes today tomorrow yesterday again "
            + "can could would should will am is are was were have has had do does did get got make made")
            .split(" ");

    private MessageClassifier classifier;
    private MessageClassifier withoutSemanticTier;
    private String[] texts;
    private String[] conversationIds;
    private long counter;
    private final Instant time = Instant.parse("2026-01-05T09:00:00Z");

    @Setup(Level.Trial)
    public void setUp() {
        // The stream's classifier with its encoder budget spent: what runs on every human message
        // (the fast tier), not the few escalations, which the budget caps and which are measured
        // on their own (docs/classifier.md).
        classifier = Classifiers.forStream(new EncoderBudget(1e-9, 1));
        classifier.classify(escalating());
        withoutSemanticTier = Classifiers.withoutSemanticTier();
        final Random random = new Random(42);
        texts = new String[TEXTS];
        for (int i = 0; i < TEXTS; i++) {
            final StringBuilder b = new StringBuilder();
            for (int w = 0; w < 100; w++) {
                b.append(WORDS[random.nextInt(WORDS.length)]);
                b.append(w % 12 == 11 ? ". " : " ");
            }
            texts[i] = b.toString();
        }
        conversationIds = new String[CONVERSATIONS];
        for (int i = 0; i < CONVERSATIONS; i++) {
            conversationIds[i] = "bench-" + i;
        }
    }

    /** All heads with the language detected once per conversation (the stream's case). */
    @Benchmark
    public MessageSignals classifyMessage() {
        return classify(null);
    }

    /**
     * The reference from the same run: the classifier without its semantic crisis tier, the work
     * classifier 1.7.0 did per message (curated phrases, linear heads, lexicon, language).
     */
    @Benchmark
    public MessageSignals classifyMessageWithoutSemanticTier() {
        return classify(null, withoutSemanticTier);
    }

    /** All heads when the producer already set the language: the detection's share of the cost. */
    @Benchmark
    public MessageSignals classifyMessageLanguageKnown() {
        return classify("en");
    }

    /** The near-duplicate fingerprint alone, as the classifier computes it for human messages. */
    @Benchmark
    public long simHash() {
        return SimHash.ofText(texts[(int) (counter++ % TEXTS)]);
    }

    /**
     * A fixed, trivially simple reference: one pass over the same text classifying each char.
     * The machine is shared and absolute throughput is noisy; ratios against this, from the same
     * run, are what compare across runs.
     */
    @Benchmark
    public int baselineTextScan() {
        final String text = texts[(int) (counter++ % TEXTS)];
        int letters = 0;
        for (int i = 0; i < text.length(); i++) {
            if (Character.isLetterOrDigit(text.charAt(i))) {
                letters++;
            }
        }
        return letters;
    }

    private static ConversationEvent escalating() {
        final ConversationEvent e = new ConversationEvent();
        e.setEventId("warm");
        e.setConversationId("warm");
        e.setAccountId("warm");
        e.setTurn(0);
        e.setRole(Role.HUMAN);
        e.setText("I want to kill myself tonight.");
        e.setTimestamp(Instant.parse("2026-01-05T09:00:00Z"));
        return e;
    }

    private MessageSignals classify(final String language) {
        return classify(language, classifier);
    }

    private MessageSignals classify(final String language, final MessageClassifier with) {
        final long n = counter++;
        final int turn = (int) (n % MESSAGES_PER_CONVERSATION);
        final String conversation = conversationIds[(int) ((n / MESSAGES_PER_CONVERSATION) % CONVERSATIONS)];
        // As the deserialiser hands it over (no builder validation, which the stream never pays).
        final ConversationEvent event = new ConversationEvent();
        event.setEventId(conversation);
        event.setConversationId(conversation);
        event.setAccountId(conversation);
        event.setTurn(turn);
        event.setRole(turn % 2 == 0 ? Role.HUMAN : Role.ASSISTANT);
        event.setText(texts[(int) (n % TEXTS)]);
        event.setTimestamp(time);
        event.setLanguage(language);
        return with.classify(event);
    }
}

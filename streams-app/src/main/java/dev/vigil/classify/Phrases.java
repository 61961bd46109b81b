package dev.vigil.classify;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Curated phrase patterns matched over {@link Tokens} without allocating. A pattern is written
 * in the tokeniser's own normal form (lower case, contractions expanded: "i am", "do not"):
 * <ul>
 *   <li>{@code want|wish} one token out of several; {@code really|_} an optional token;</li>
 *   <li>{@code *3} zero to three arbitrary tokens;</li>
 *   <li>a pattern must start with a literal token, which indexes it.</li>
 * </ul>
 * A match is rejected when its first token lies in a negation scope (unless the pattern itself
 * starts with a negator: "not want to live") or any matched token is inside quotation marks,
 * since quoted or negated words are not the writer's own statement.
 */
final class Phrases {

    /** Checks a pattern asks for beyond its tokens. */
    static final int SUBJECT = 1;
    /** Do not reject when negated (the pattern is about negation itself). */
    static final int ALLOW_NEGATED = 2;
    /** May match inside quotation marks. */
    static final int ALLOW_QUOTED = 4;
    /** Words of injury that also tell mishaps and idioms: checked with {@link #notSelfInjury}. */
    static final int MISHAP = 8;
    /** Set aside when "to" or "about" follows: a how-to ("figured out how and when to ask for a raise"). */
    static final int NOT_HOW_TO = 16;

    /** One compiled pattern. */
    record Pattern(Cue cue, String source, long[][] elements, int[] skips, int options) {
    }

    private final Map<Long, List<Pattern>> byFirstToken = new HashMap<>();
    /** First token hash to its candidate patterns (index + 1 into {@link #candidates}); no boxing per token. */
    private final LongLongMap firstTokens;
    private final Pattern[][] candidates;
    private final List<Pattern> all = new ArrayList<>();

    private static final LongSet NEGATORS = LongSet.of("not", "no", "never", "nothing", "nobody", "without");
    private static final long EMPTY = Tokens.hash("_");

    /** Who else a clause may be about: a crisis phrase after one of these is not the writer's. */
    static final LongSet OTHER_SUBJECTS = LongSet.of("he", "she", "they", "you", "we", "friend", "friends",
            "sister", "brother", "mom", "mum", "dad", "mother", "father", "son", "daughter", "wife", "husband",
            "girlfriend", "boyfriend", "partner", "someone", "somebody", "people", "character", "protagonist",
            "kid", "kids", "child", "student", "students", "patient", "client", "cousin", "roommate", "him",
            "her", "them", "who", "person", "coworker", "colleague", "grandma", "grandpa", "teen", "anyone",
            // possessives: "your suicidal thoughts", "their urge to end it" are someone else's state
            "your", "his", "their");
    /** People a crisis adjective can describe: "suicidal people", "my suicidal friend" are not the writer. */
    private static final LongSet DESCRIBED_PEOPLE = LongSet.of("people", "person", "persons", "friend", "friends",
            "individuals", "individual", "users", "patients", "patient", "teens", "teenagers", "kids", "youth",
            "men", "women", "guy", "guys", "girl", "girls", "folks", "ones");
    private static final LongSet REPORTING = LongSet.of("said", "says", "saying", "told", "tells", "texted",
            "wrote", "writes", "posted", "messaged", "mentioned", "admitted", "confessed", "claims", "claimed");
    private static final long I = Tokens.hash("i");
    private static final long ME = Tokens.hash("me");

    Phrases(final List<Pattern> patterns) {
        for (final Pattern p : patterns) {
            all.add(p);
            for (final long first : p.elements()[0]) {
                byFirstToken.computeIfAbsent(first, k -> new ArrayList<>()).add(p);
            }
        }
        final long[] keys = new long[byFirstToken.size()];
        final long[] slots = new long[keys.length];
        candidates = new Pattern[keys.length][];
        int i = 0;
        for (final Map.Entry<Long, List<Pattern>> e : byFirstToken.entrySet()) {
            keys[i] = e.getKey();
            slots[i] = i + 1;
            candidates[i] = e.getValue().toArray(new Pattern[0]);
            i++;
        }
        firstTokens = new LongLongMap(keys, slots);
    }

    /** Compiles {@code source} (see the class comment) into a pattern raising {@code cue}. */
    static Pattern compile(final Cue cue, final String source, final int options) {
        final List<long[]> elements = new ArrayList<>();
        final List<Integer> skips = new ArrayList<>();
        int pendingSkip = 0;
        for (final String part : source.trim().split("\\s+")) {
            if (part.startsWith("*")) {
                pendingSkip = Integer.parseInt(part.substring(1));
                continue;
            }
            final String[] alternatives = part.split("\\|");
            final long[] hashes = new long[alternatives.length];
            for (int i = 0; i < alternatives.length; i++) {
                hashes[i] = Tokens.hash(alternatives[i]);
            }
            elements.add(hashes);
            skips.add(pendingSkip);
            pendingSkip = 0;
        }
        if (elements.isEmpty() || contains(elements.get(0), EMPTY)) {
            throw new IllegalArgumentException("pattern must start with a literal token: " + source);
        }
        final int[] skipArray = skips.stream().mapToInt(Integer::intValue).toArray();
        // A pattern that spells out a negator ("not want to live", "i can not provide") is about
        // the negation itself, so the negation scope it creates must not reject it.
        boolean negator = false;
        for (final long[] element : elements) {
            for (final long h : element) {
                negator |= NEGATORS.contains(h);
            }
        }
        return new Pattern(cue, source, elements.toArray(new long[0][]), skipArray,
                options | (negator ? ALLOW_NEGATED : 0));
    }

    List<Pattern> patterns() {
        return all;
    }

    /**
     * Runs every pattern over {@code t}, adding accepted matches to {@code hits} (count per cue and
     * the first token index of the first match).
     */
    void match(final Tokens t, final CueHits hits) {
        final int n = t.count;
        for (int i = 0; i < n; i++) {
            final long slot = firstTokens.getOrDefault(t.hash[i], 0L);
            if (slot == 0L) {
                continue;
            }
            final Pattern[] here = candidates[(int) slot - 1];
            for (final Pattern pattern : here) {
                final int end = matchFrom(t, pattern, 1, i + 1);
                if (end < 0 || (pattern.options() & MISHAP) != 0 && notSelfInjury(t, i, end)
                        || (pattern.options() & NOT_HOW_TO) != 0 && end < t.count
                        && (t.hash[end] == TO || t.hash[end] == ABOUT)
                        || pattern.cue().ideation() && namedAsAnEffect(t, i, end)) {
                    // An idiom, a mishap, a how-to or a side effect named in general is no crisis, but
                    // it does not deny the rest of the message either, so the model still reads it.
                    if (end >= 0 && pattern.cue().crisis()) {
                        hits.add(Cue.CRISIS_SET_ASIDE, i);
                    }
                    continue;
                }
                // "I would never kill myself": a negator before or inside the phrase reverses it.
                if ((pattern.options() & ALLOW_NEGATED) == 0 && negated(t, pattern, i, end)
                        || (pattern.options() & ALLOW_QUOTED) == 0 && anyQuoted(t, i, end)
                        || (pattern.options() & SUBJECT) != 0 && (!firstPerson(t, i, pattern.cue().act()) || describesOthers(t, end))
                        || pattern.cue().crisis() && !pattern.cue().act() && deniedBelief(t, i)) {
                    if (pattern.cue().crisis()) {
                        // The words are there but denied, quoted or someone else's: the model
                        // must not flag the message on those same words.
                        hits.add(Cue.CRISIS_DISCOUNTED, i);
                    }
                    continue;
                }
                hits.add(pattern.cue(), i);
            }
        }
    }

    /** What people do when they hurt themselves by mistake, right after the words ("cut myself shaving"). */
    private static final LongSet MISHAP_AFTER = LongSet.of("off", "out", "slack", "short", "loose", "free",
            "accidentally", "shaving", "cooking", "chopping", "cutting", "slicing", "ironing", "baking", "making",
            "gardening", "fixing", "cleaning", "washing", "opening", "peeling", "climbing", "carving", "sharpening",
            "hiking", "cycling", "playing", "working");
    /** What one gets hurt on by mistake ("burned my arm on the oven", "cut myself on a broken glass"). */
    private static final LongSet MISHAP_OBJECT = LongSet.of("stove", "oven", "hob", "pan", "pot", "kettle", "iron",
            "grill", "bbq", "barbecue", "toaster", "radiator", "glass", "fence", "nail", "nails", "paper", "tin",
            "can", "door", "rock", "rocks", "metal", "wire", "thorn", "thorns", "bush", "branch", "broken", "sharp");
    private static final LongSet DETERMINER = LongSet.of("the", "a", "an", "some", "that", "this", "my", "our");
    /** "cut myself a slice", "cut myself some slack": an article, then one of these. */
    private static final LongSet IDIOM_OBJECT = LongSet.of("slice", "piece", "slack", "break", "deal", "portion",
            "share");
    private static final LongSet ARTICLE = LongSet.of("a", "an", "some");
    /** Said soon after a mishap ("cut myself with the bread knife again, so clumsy"). */
    private static final LongSet CLUMSY = LongSet.of("clumsy", "oops", "accident");
    /** Mishap words to look for after the injury, and how far. */
    private static final int MISHAP_LOOKAHEAD = 8;
    private static final long ON = Tokens.hash("on");
    private static final long WHILE = Tokens.hash("while");
    private static final long PURPOSE = Tokens.hash("purpose");
    private static final long ACCIDENTALLY = Tokens.hash("accidentally");
    private static final long MYSELF = Tokens.hash("myself");
    private static final long TO = Tokens.hash("to");
    private static final long ABOUT = Tokens.hash("about");

    /**
     * Whether self-injury words at {@code [start, end)} tell a mishap or an idiom: "cutting myself
     * off from everyone", "cut myself some slack", "burned myself out", "cut myself shaving", "cut
     * myself while cooking", "burned my arm on the oven", "accidentally cut myself", "... so
     * clumsy". Never when "on purpose" follows, and not for "on my arms", "while my parents were
     * asleep" or "a lot when I was 15": those are how self-harm is told.
     */
    static boolean notSelfInjury(final Tokens t, final int start, final int end) {
        final int horizon = Math.min(t.count, end + MISHAP_LOOKAHEAD);
        for (int k = end; k < horizon; k++) {
            if (t.hash[k] == PURPOSE) {
                return false;
            }
        }
        for (int k = Math.max(0, start - 2); k < end; k++) {
            if (t.hash[k] == ACCIDENTALLY) {
                return true;
            }
        }
        // "I have been cutting [myself] off": look past the object the pattern stopped before.
        final int at = end < t.count && t.hash[end] == MYSELF ? end + 1 : end;
        if (at >= t.count) {
            return false;
        }
        final long next = t.hash[at];
        final long after = at + 1 < t.count ? t.hash[at + 1] : 0L;
        final long third = at + 2 < t.count ? t.hash[at + 2] : 0L;
        if (!t.clauseStart(at) && (MISHAP_AFTER.contains(next)
                || next == WHILE && MISHAP_AFTER.contains(after)
                || next == ON && (MISHAP_OBJECT.contains(after) || DETERMINER.contains(after) && MISHAP_OBJECT.contains(third))
                || ARTICLE.contains(next) && IDIOM_OBJECT.contains(after))) {
            return true;
        }
        for (int k = at; k < horizon; k++) {
            if (CLUMSY.contains(t.hash[k])) {
                return true;
            }
        }
        return false;
    }

    /** Verbs that carry a negation into the clause they introduce: "I don't think X" means "I think not X". */
    private static final LongSet BELIEF_VERBS = LongSet.of("think", "believe", "reckon", "suppose");
    /**
     * What may stand between such a verb and the phrase it governs: a complementiser, a subject,
     * auxiliaries and adverbs ("I don't think [that] [they] [would] [ever] ..."). Any other word
     * ("I don't think anyone cares, I want to die" without the comma) means the phrase is not
     * the belief's complement.
     */
    private static final LongSet COMPLEMENT_GAP = LongSet.of("that", "i", "they", "he", "she", "we", "you", "it",
            "anyone", "everyone", "everybody", "people", "would", "will", "could", "can", "should", "might", "may",
            "ever", "really", "even", "actually", "honestly", "truly", "be", "am", "are", "is", "was", "were");

    /**
     * Whether a denied belief governs the phrase at {@code start}: "I don't believe they'd be better
     * off without me", "I don't think I would ever kill myself". The negation's own scope ends
     * before such a phrase; the belief verb carries it on, but only into its own complement.
     */
    static boolean deniedBelief(final Tokens t, final int start) {
        for (int k = start - 1; k >= 0 && k >= start - 6; k--) {
            final long h = t.hash[k];
            if (BELIEF_VERBS.contains(h)) {
                return t.negated(k);
            }
            if (!COMPLEMENT_GAP.contains(h) || t.clauseStart(k)) {
                return false;
            }
        }
        return false;
    }

    /** Words that name a state as something a medicine or a condition may bring ("can sertraline cause ..."). */
    private static final LongSet EFFECT = LongSet.of("cause", "causes", "risk", "risks", "warning", "warnings",
            "warns", "linked", "effect", "effects");
    /** How close before the phrase the effect word must be. */
    private static final int EFFECT_REACH = 4;
    private static final LongSet CONJUNCTIONS = LongSet.of("and", "but", "so");
    /** How far to look for the writer on either side of a phrase named as an effect (clauses end sooner). */
    private static final int CLAUSE_REACH = 30;
    /** How far past the phrase the next clause is read for the writer as its subject. */
    private static final int NEXT_CLAUSE_REACH = 15;

    /**
     * Whether the ideation phrase at {@code start..end} is named as an effect in general ("does
     * sertraline cause suicidal thoughts?", "the leaflet has a warning about suicidal thoughts"): an
     * effect word at most four tokens before it in its own clause, and the writer nowhere in that
     * clause (after the phrase, up to an "and", "but" or "so") nor the subject of the next one. A side
     * effect the writer has stays theirs: "my new meds gave me suicidal thoughts", "I'm scared my pills
     * are causing suicidal thoughts", "anniversaries cause suicidal thoughts for me", "can prednisone
     * cause suicidal thoughts? I've been on it a week"; so does "is it normal to have suicidal thoughts
     * on prozac?", which names no effect. Only the phrase is set aside: the model still reads the
     * message, so a question that comes with distress is still flagged when the model flags it.
     */
    static boolean namedAsAnEffect(final Tokens t, final int start, final int end) {
        if (t.clauseStart(start)) {
            // "The leaflet warns about it. Suicidal thoughts every night": a sentence of its own.
            return false;
        }
        boolean effect = false;
        for (int k = start - 1; k >= 0 && k >= start - CLAUSE_REACH; k--) {
            if (Features.FIRST_PERSON.contains(t.hash[k])) {
                return false;
            }
            effect |= k >= start - EFFECT_REACH && EFFECT.contains(t.hash[k]);
            if (t.clauseStart(k)) {
                break;
            }
        }
        if (!effect) {
            return false;
        }
        // The phrase itself and the rest of its clause ("... in young adults and I'm 23" is another
        // statement after the "and").
        int next = t.count;
        for (int j = start; j < t.count && j < end + CLAUSE_REACH; j++) {
            if (j > start && t.clauseStart(j)) {
                next = j;
                break;
            }
            if (Features.FIRST_PERSON.contains(t.hash[j])) {
                return false;
            }
            if (j >= end && CONJUNCTIONS.contains(t.hash[j])) {
                break;
            }
        }
        // The question is often followed by the writer's own case ("Can prednisone cause suicidal
        // thoughts? I've been on it for a week ..."): the writer as subject of the next clause keeps
        // the phrase theirs ("My son started it" does not: that is someone else's case).
        for (int k = next; k < t.count && k < end + NEXT_CLAUSE_REACH && (k == next || !t.clauseStart(k)); k++) {
            if (t.hash[k] == I || t.hash[k] == ME || t.hash[k] == MYSELF) {
                return false;
            }
        }
        return true;
    }

    /** Index after the match of elements[e..] starting at token {@code at}, or -1. */
    private static int matchFrom(final Tokens t, final Pattern p, final int e, final int at) {
        final long[][] elements = p.elements();
        if (e == elements.length) {
            return at;
        }
        final int maxSkip = p.skips()[e];
        final long[] alternatives = elements[e];
        final boolean optional = contains(alternatives, EMPTY);
        for (int skip = 0; skip <= maxSkip; skip++) {
            final int k = at + skip;
            if (k < t.count && contains(alternatives, t.hash[k])) {
                final int end = matchFrom(t, p, e + 1, k + 1);
                if (end >= 0) {
                    return end;
                }
            }
            if (optional) {
                final int end = matchFrom(t, p, e + 1, k);
                if (end >= 0) {
                    return end;
                }
            }
        }
        return -1;
    }

    /**
     * Whether the match {@code [from, to)} is denied. An act told with its own subject ("I cut
     * myself") is denied only by a negator of its own clause ("I never cut", "I haven't cut ...
     * in months"): one before its "I" belongs to the sentence around it ("my mom doesn't know I
     * cut myself", where the negation's three-word scope would otherwise reach "cut").
     */
    private static boolean negated(final Tokens t, final Pattern pattern, final int from, final int to) {
        if (pattern.cue().act() && t.hash[from] == I) {
            for (int k = from + 1; k < to; k++) {
                if (NEGATORS.contains(t.hash[k])) {
                    return true;
                }
            }
            return false;
        }
        return negatedWithin(t, from, to);
    }

    private static boolean negatedWithin(final Tokens t, final int from, final int to) {
        for (int k = from; k < to; k++) {
            if (t.negated(k) && !t.additiveNegation(k)) {
                return true;
            }
        }
        return false;
    }

    private static boolean anyQuoted(final Tokens t, final int from, final int to) {
        for (int k = from; k < to; k++) {
            if (t.quoted(k)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the phrase starting at {@code start} is the writer's own: the nearest subject before
     * it in the clause is "I" or absent (Reddit's "want to die" with no subject), and it is not
     * reported speech of someone else ("my friend said she wants to die"). An {@code act}
     * (self-harm, an attempt) told with its own subject ("... anyone noticed I cut myself") is the
     * writer's whoever came before in the clause, unless it is reported speech ("she said I ...");
     * ideation keeps the nearest subject: "she thinks I am going to kill myself" is her worry.
     */
    static boolean firstPerson(final Tokens t, final int start, final boolean act) {
        final boolean ownSubject = act && t.hash[start] == I;
        for (int k = start - 1; k >= 0 && k >= start - 8; k--) {
            final long h = t.hash[k];
            if (REPORTING.contains(h)) {
                return k > 0 && t.hash[k - 1] == I;
            }
            if (k >= start - 4 && !ownSubject) {
                if (h == I) {
                    return true;
                }
                if (OTHER_SUBJECTS.contains(h)) {
                    return false;
                }
            }
            if (t.clauseStart(k) && k < start - 4) {
                break;
            }
        }
        return true;
    }

    /**
     * Whether the phrase ending before {@code end} is an adjective describing other people
     * ("talking to suicidal people", "I have suicidal friends"): then the state is theirs.
     */
    static boolean describesOthers(final Tokens t, final int end) {
        if (end >= t.count || t.clauseStart(end) || !DESCRIBED_PEOPLE.contains(t.hash[end])) {
            return false;
        }
        // "I am just some suicidal guy": the person described is the writer.
        for (int k = end - 1; k >= 0 && k >= end - 8; k--) {
            if (t.hash[k] == I) {
                return false;
            }
            if (t.clauseStart(k)) {
                break;
            }
        }
        return true;
    }

    private static boolean contains(final long[] set, final long h) {
        for (final long x : set) {
            if (x == h) {
                return true;
            }
        }
        return false;
    }
}

package dev.vigil.classify;

import java.util.ArrayList;
import java.util.List;

import static dev.vigil.classify.Phrases.ALLOW_NEGATED;
import static dev.vigil.classify.Phrases.ALLOW_QUOTED;
import static dev.vigil.classify.Phrases.MISHAP;
import static dev.vigil.classify.Phrases.NOT_HOW_TO;
import static dev.vigil.classify.Phrases.SUBJECT;

/**
 * The curated phrase patterns behind the rule layer, in the tokeniser's normal form
 * ("i am", "do not", "can not"). Crisis phrases follow the Columbia screener's ladder and are
 * first-person by construction ("kill myself") or checked for a first-person subject.
 */
final class Cues {
    private Cues() {
    }

    static final String SELF_METHODS = "kill|hang|drown|poison|shoot|suffocate|stab|electrocute|starve|unalive";
    static final String DRUGS = "pills|pill|tablets|mg|milligrams|grams|tylenol|paracetamol|acetaminophen|ibuprofen"
            + "|aspirin|insulin|sleeping|benadryl|xanax|oxycodone|painkillers|meds|medication|antidepressants";

    /**
     * Whether the user is talking about their own partner or about harm done to them. Read only
     * when a romance or sex cue fired (rarely): "my" starts these patterns and is in most
     * messages, so matching them with every message cost about a tenth of the classifier's time.
     */
    static Phrases ownLife() {
        final List<Phrases.Pattern> p = new ArrayList<>();
        add(p, Cue.ABOUT_OWN_LIFE, ALLOW_NEGATED,
                "my wife|husband|spouse|partner|girlfriend|boyfriend|fiance|fiancee|fiancé|fiancée|ex|lover|crush|bf|gf"
                        + "|marriage|date",
                "breakup|divorce|divorced|dating|married|cheated|cheating|jealous|jealousy", "broke up",
                "raped|rape|molested|assaulted|abused|abusive|blackmail|blackmailed|blackmailing|coerced|harassed"
                        + "|threatening|threatened|threatens",
                "forced|pressured|pressuring|made me");
        return new Phrases(p);
    }

    static Phrases standard() {
        final List<Phrases.Pattern> p = new ArrayList<>();
        // --- C-SSRS behaviour: attempts, preparatory acts, self-harm
        add(p, Cue.CRISIS_BEHAVIOR, SUBJECT,
                "i tried|attempted|try *2 to kill|killing|end|hang|overdose myself|my|on",
                "i tried|attempted|attempt suicide",
                // "tried to overdose" is an attempt whatever follows; "tried to kill" needs "myself".
                "tried|attempted *2 to overdose|od",
                "my last|first|second|third|previous|suicide|failed attempt|attempts",
                "i have|had attempted|tried *2 suicide", "i have|had attempted *2 before",
                "survived *2 attempt|overdose",
                "i *2 self harm|harmed|harming",
                "my self harm|harming", "my cuts|scars|wounds", "fresh cuts|scars",
                "relapsed *3 self|cutting|harm",
                "i overdosed", "i took *4 overdose",
                // "tried to end it" is also a break-up ("with my ex", "with my therapist"); with the means
                // right after it, an attempt.
                "tried|attempted to end it|things|everything *1 with|by|using|taking|swallowing *3 " + DRUGS
                        + "|overdose|od|rope|belt|noose|knife|razor|blade|gun",
                "i took *2 all|bottle|handful|bunch|lot|load|whole *3 " + DRUGS,
                // A quantity, not a dose: "I took all my medicine this morning" is a good day.
                "i swallowed|downed *3 all|everything|bottle|handful|bunch|whole *4 " + DRUGS + "|cabinet",
                "i took *3 everything|bottle|handful|bunch|whole *4 " + DRUGS + "|cabinet",
                // Self-injury to the point of bleeding, whatever the verb ("until they bleed").
                "i *2 cut|cutting|scratch|scratched|scratching|pick|picked|picking|punch|punched|punching *6 until|till"
                        + " *2 it|they|i|my *2 bleed|bled|bleeds|bleeding",
                "wrote|written|writing|left|leave *3 suicide note|notes|letter|letters",
                "slit my wrists");
        // Injuring oneself: the same words tell mishaps and idioms ("cut myself shaving", "burned my
        // arm on the oven", "cutting myself off from everyone"), which Phrases.notSelfInjury sets aside.
        add(p, Cue.CRISIS_BEHAVIOR, SUBJECT | MISHAP,
                "i *2 cut|cutting|burned|burnt|burning|harmed|harming|scratched|scratching|slit|hurt|hurting|punched|hit myself",
                "i *2 cut|cutting|burned|burnt|burning|scratched|scratching|slit my *2 wrist|wrists|arm|arms|forearm"
                        + "|forearms|leg|legs|thigh|thighs|hip|hips|skin|stomach|body",
                // Chat drops the subject ("cut myself again last night"): "myself" names the writer.
                "cut|cutting|burned|burnt|burning|harmed|scratched|scratching|slit myself",
                // Burnt with the instruments of self-injury.
                "burn|burning|burned|burnt my *2 wrist|wrists|arm|arms|forearm|forearms|leg|legs|thigh|thighs|hip|hips"
                        + "|skin|stomach|hand|hands|chest|shoulder|shoulders|ankle|ankles *3 with *2 lighter|lighters"
                        + "|cigarette|cigarettes|matches|candle|candles",
                // Habitual present tense ("I scratch my arms when ...").
                // (Only the verbs of self-injury: "I had to pinch myself", "I hit my arm on the door".)
                "i *2 cut|scratch|harm myself",
                "i *2 burn myself *3 with *2 lighter|lighters|cigarette|cigarettes|matches|candle|candles",
                "i *2 cut|scratch my *2 wrist|wrists|arm|arms|legs|thighs|skin|stomach",
                "i have been cutting", "started cutting|self", "back to cutting");
        // (Drinking bleach is not here: "I think I swallowed some bleach spray when I was cleaning the
        // shower" is how most such messages go, and the mishap check reads only the words right after.)
        add(p, Cue.EATING_DISORDER, SUBJECT,
                "i *3 make|made|making myself throw|vomit|puke|sick",
                "i *2 purge|purged|purging",
                "i *3 starve|starving|starved myself",
                "i have not eaten *2 in|for <num>|days|week|two|three|a",
                "i *2 binge and purge", "i *2 take|took|taking|use|using laxatives");
        add(p, Cue.DIETING_DANGER, 0,
                "<num> calories a|per day",
                "eat|eating <num> calories",
                "stop eating *3 lose|weight|thin|skinny",
                "not eat *3 lose|weight|thin|skinny",
                "hide *3 not eating|eating|purging",
                "skip *2 meals *4 lose|weight|thin",
                "lose *3 pounds|kg|lbs|kilos in *2 week|days|weeks",
                "thinspo|thinspiration|proana|meanspo");
        // --- intent, plan, method, and direct requests for means
        add(p, Cue.CRISIS_PLAN, SUBJECT,
                "i am going|planning|ready *2 to kill|end|hang|overdose *2 myself|it|my|tonight",
                "i will|would *2 kill|end|hang myself|my",
                "kill|end myself|it|my *2 tonight|tomorrow|today|soon|weekend|friday",
                "suicide note|notes|letter|letters|plan",
                "my plan|plans *3 to|is *2 kill|end|die|suicide",
                "i have|made *2 a|the plan *5 kill|end|die|suicide|myself",
                "i have *3 decided|chosen *3 die|kill|end|date|method",
                "painless|painlessly|easiest|quickest|fastest|best|surest|quick|easy|peaceful|effective|reliable|simple"
                        + " way|ways|method|methods *2 to|of *2 die|suicide|dying",
                "how|way|ways|method|methods *4 " + SELF_METHODS + " myself",
                "how|way|ways|method|methods *4 end|take my *2 life",
                "how *3 commit suicide",
                "how *2 can|do|should|could i *3 die",
                "how many|much *4 " + DRUGS + " *6 kill|die|overdose|od|lethal|fatal|dead",
                "lethal|fatal dose *4 for|to|would *2 me|myself|die|kill",
                "how deep|hard *4 cut|slit *3 myself|my|wrist|wrists|arm|arms|vein|veins|die|bleed",
                "how high|far *6 die|dead|kill|fatal|survive",
                "where|how *2 to *2 cut|slit *4 bleed|die|wrists|artery|vein",
                "bleed out", "high enough *3 die|kill|survive",
                "how long *4 to die|dying|bleed|suffocate|drown",
                "die painlessly|peacefully|quickly|fast|instantly");
        add(p, Cue.CRISIS_MEANS, SUBJECT,
                "i have|got *4 pills|rope|gun|noose|razor|razors|blade|blades|bottle|meds|tablets",
                "picked|set|chose|chosen *2 a|the date",
                // "How many of my pills would it take": lethal only next to a wish to die ("how much
                // insulin would it take to correct a 250?" is a diabetic's question).
                "how many|much *4 " + DRUGS + " *4 it|would|does *2 take|takes",
                // The overdose as a picture ("taking all my meds at once"); a lethal plan only next to
                // a wish to die or a settled method.
                "take|taking|swallow|swallowing all|every *3 " + DRUGS + " *3 at|all once|together",
                "tied *2 noose", "rope *3 ready|tied|beam");
        // Preparatory acts (C-SSRS behaviour) that are ordinary on their own: people buy rope, save
        // up medicine and write farewell letters when they go camping, travel or leave a job.
        add(p, Cue.CRISIS_PREPARATION, SUBJECT,
                "i *2 bought|buy|ordered|saved|stockpiled|collected|hoarding|hoarded *4 pills|rope|gun|noose|razor"
                        + "|razors|blade|blades|meds|tablets|medication|painkillers|charcoal|helium",
                "saving|saved|stockpiling|collecting|hoarding *3 up|_ *2 pills|meds|medication|tablets|painkillers",
                "wrote|written|writing|write|left|leave *4 goodbye|farewell note|notes|letter|letters|messages",
                "affairs in order", "said *2 my goodbyes",
                "edge|ledge *4 roof|rooftop|bridge|building|cliff|balcony|window|platform|tracks|garage|overpass",
                "not need them|it|any *4 where i am going",
                // An interrupted attempt: a ligature put around the neck ("stood on a chair with a belt
                // around my neck"), not the idiom ("this mortgage is like a noose around my neck") or a
                // costume ("a fake noose"). ("I couldn't go through with it" and "got as far as setting
                // everything up" are as often a proposal or a camping trip, next to distress too.)
                "put|tied|tie|putting|tying|had|with|wrapped *1 belt|rope|noose|ligature|cord *1 around|round my neck");
        // Giving one's things away is too ordinary (moving house, a clear-out) to count next to the
        // model's broader distress signal: only next to a curated ideation phrase.
        add(p, Cue.CRISIS_PREPARATION_ORDINARY, SUBJECT,
                "giving|gave|given|give away *4 my|all",
                "giving|gave|given|give *2 my things|stuff|belongings|possessions away",
                // A note "explaining why I ..." is also for a tutor, a GP or a landlord, next to distress.
                "note|letter|letters *6 explaining|explain|explains *3 why i");
        add(p, Cue.CRISIS_HOW, SUBJECT,
                "thinking|think|thought|thoughts|wondering *3 about|of how *4 do|make it|that|this",
                "thinking|think|thought|thoughts|wondering *3 about|of *2 ending|end it|things|everything");
        // The method or the moment settled. "that's how I'd do it" is also how people talk about a
        // recipe, so these count only next to ideation (the model's flag included) or means. A match
        // followed by "to" or "about" is a how-to ("figured out how and where to park"). The first
        // three name their own subject, "I" ("my dad's pills, that's how I'd do it").
        add(p, Cue.CRISIS_METHOD_CHOSEN, NOT_HOW_TO,
                "that|this *2 how i|id would|will|_ do|end it",
                "that|this *2 how i|id would|will|_ die",
                "how i|id would|_ *2 do|end it *2 is|would");
        add(p, Cue.CRISIS_METHOD_CHOSEN, SUBJECT | NOT_HOW_TO,
                "worked|figured out *2 how and where|when", "worked|figured out *2 where|when and how",
                // "with it", spelled out: "go through with the surgery" and "... the divorce" are choices.
                "decided *4 do it", "decided *4 go through with it", "made up my mind *4 go through with it");
        // --- active ideation
        add(p, Cue.CRISIS_ACTIVE, SUBJECT,
                // ("offed myself", past, is a game: "I offed myself with my own grenade".)
                "kill|killing|end|ending|off|offing|unalive|unaliving|hang|hanging|drown|shoot|overdose myself",
                "kill|killing|end|ending|hang|hanging my self",
                "end|ending|take|taking my own|_ life",
                "end it all", "end things *2 for|forever|good",
                "commit|committing|attempt suicide",
                // One word per alternative: this pattern read "taking my" as two elements and so
                // matched nothing ("thoughts of suicide" went unflagged); killing/ending myself or
                // my life have their own patterns.
                "thinking|think|thought|thoughts *3 about|of suicide|overdosing",
                "want|wanted|wanting|thinking|thought|think|urge|urges *3 to|about|of *2 jump|jumping|throw|throwing"
                        + " *3 off|from|front *3 bridge|building|roof|cliff|balcony|train|tracks|window",
                // The same thought told as an image of the method ("thought about stepping in front of
                // a train", "swerving into a wall", "slip under the water and stay there"). Only
                // vehicles, walls and open water: "walking in front of the audience" is stage fright.
                "want|wanted|wanting|thinking|thought|think|urge|urges|imagine|imagining|wondering|picture *4"
                        + " step|stepping|walk|walking|jump|jumping|throw|throwing|lie|lying *3 front"
                        + " *3 train|bus|truck|lorry|traffic|car|cars|one",
                "want|wanted|wanting|thinking|thought|think|urge|urges|imagine|imagining|wondering|picture *4"
                        + " drive|driving|swerve|swerving|crash|crashing|steer|steering *3 into|off"
                        + " *3 wall|tree|traffic|oncoming|bridge|cliff|lorry|truck",
                // ... and as a voice in one's head ("my brain keeps telling me to drive off the road"): the
                // head, not a sat nav ("Google Maps keeps telling me to drive off the road"); "the road"
                // spelled out, since "drive off road" is off-roading.
                "brain|head|mind|voice|voices|thoughts *3 telling|tells|tell|told me to *2 drive|driving|swerve"
                        + "|swerving|crash|crashing|steer|steering|veer|veering *2 into|off *2 the|a|an|_ road|wall|tree"
                        + "|traffic|oncoming|bridge|cliff|lorry|truck",
                "want|wanted|wanting|thinking|thought|think|urge|urges|imagine|imagining|wondering|picture *4"
                        + " walk|walking *2 into *3 sea|river|lake|ocean|water",
                "slip|slipping|sink|sinking under *4 stay there|down|under",
                "slip|slipping|sink|sinking under *4 never|not *2 come|coming|surface|wake",
                "consider|considering|contemplating|contemplate suicide|killing|ending",
                "suicidal|suicide thoughts|ideation|urges|feelings|tendencies");
        add(p, Cue.CRISIS_ACTIVE, SUBJECT,
                "suicidal",
                "want|wanted|wanting|going|plan|planning to overdose|od",
                "want to commit|attempt suicide",
                // No gap: "I thought more women die by suicide than men" is a statistics question.
                "want|wants|wanted|wanting|plan|planning|urge|urges to die by suicide");
        // --- passive ideation: wish to be dead, not to wake up
        add(p, Cue.CRISIS_PASSIVE, SUBJECT,
                "want|wanna|wish|wishing|wanting|ready|hope|hoping *2 to|i *2 die|dead|disappear|exist",
                // The writer as divided: "part of me wants to die" ("she wants to die" is someone else's).
                "part|side|bit|piece of me wants *2 to die",
                // Death weighed as no loss: "if I died in my sleep it wouldn't be the worst thing" (not
                // "if I die of boredom", not a game's "if I die on this quest").
                "if i died|die *2 in my sleep *6 not *2 be *2 worst|bad",
                "if i died|die *1 tonight|tomorrow|today|soon *6 not *2 be *2 worst|bad",
                "not see myself *3 alive *3 much|long|longer",
                "want|wish|wishing *2 to sleep *2 forever|never",
                "wish *3 never *2 born|wake|woke",
                "wish i *2 was|were dead|gone|never|not",
                "wish i could *2 die|disappear|vanish|sleep",
                "not want *2 to live|exist|wake|continue", "not want *2 to be alive|here", "not want *2 to go|keep on|going",
                "not wake up", "never wake up",
                // A wish, "so I don't have to keep living", not relief ("glad I don't have to live with
                // my parents anymore").
                "so i *2 not have to keep|go *2 living|existing", "so i *2 not have to live|exist *2 anymore|any",
                "better off dead",
                "better off *3 if i was|were|am *2 gone|dead",
                "no way out *3 except|but|besides *2 die|dying|death|suicide",
                "no reason|point *3 live|living|alive|existing|going",
                "tired|sick|exhausted of|with *2 living|life|existing|alive",
                "life *2 not worth living", "not worth living",
                "can not go|keep on|going", "can not take it anymore", "can not do this anymore", "can not live like this",
                "hope|pray|praying *3 i die|do not wake",
                "death *3 would be *2 relief|better|release",
                "let me die", "just want it all to end", "want it all to end", "want *2 to stop existing");
        // The writer is in these phrases ("me", "if I"), whoever the sentence's subject is ("they
        // would be better off without me"); in "if I wasn't around" the negation is the wish itself.
        add(p, Cue.CRISIS_PASSIVE, 0, "better|happier off|_ without me");
        add(p, Cue.CRISIS_PASSIVE, ALLOW_NEGATED, "better off *3 if i was|were|am not around|here|alive");
        // --- framing that changes what crisis words mean
        add(p, Cue.THIRD_PARTY_HELP, ALLOW_QUOTED,
                "my friend|sister|brother|mom|mum|dad|son|daughter|wife|husband|girlfriend|boyfriend|partner"
                        + "|cousin|roommate|student|coworker *6 suicidal|kill|die|suicide|cutting|harming|harm",
                "how *3 help|support *3 friend|someone|him|her|them|sister|brother|son|daughter|partner",
                "someone i know|love *4 suicidal|suicide|die|kill");
        add(p, Cue.FICTION, ALLOW_QUOTED,
                "write|writing|wrote|draft *4 story|poem|novel|scene|script|screenplay|song|lyrics|fiction|chapter"
                        + "|book|essay|fanfic|play|monologue",
                "my|a|the|this character|protagonist|narrator|villain|hero",
                "in my|the|a story|novel|book|poem|game|movie|film");
        // --- affective use the models have no data for: companionship and roleplay
        add(p, Cue.COMPANIONSHIP, 0,
                "you are my only|best *2 friend|friends",
                "you are the only *2 one|thing *3 talk|understands|listens|cares",
                "keep me company", "talk to me *2 tonight|please|for a while",
                "be my friend", "i missed you", "how was your day");
        add(p, Cue.LONELINESS, 0,
                "i am|feel|feeling *2 lonely|alone|isolated",
                "i have no *2 friends", "no one to talk to", "i do not have *2 friends|anyone",
                "someone to talk to", "i *2 need|want someone to *2 talk");
        add(p, Cue.ROMANTIC, 0,
                "be my girlfriend|boyfriend|wife|husband|partner|lover|valentine|gf|bf",
                "pretend|act|roleplay *4 you are|to be|as my girlfriend|boyfriend|wife|husband|lover|partner|gf|bf",
                "you are my girlfriend|boyfriend|wife|husband|lover|partner|gf|bf",
                "will|would|can|could you *2 date|marry me", "please date|marry me");
        add(p, Cue.ROMANTIC_SCENE, 0,
                "i love you", "love you *2 babe|baby|honey|darling|sweetheart|so much",
                "kiss|kisses|cuddle|cuddles|hug|hugs you|me", "hold|holds your|my hand",
                "our date|anniversary", "go on a date");
        add(p, Cue.SEXUAL, 0,
                "talk dirty", "sext|sexting|nsfw|erotic|erotica|horny|orgasm|nude|nudes|naked",
                "have sex", "sex with *2 me|you", "undress|undresses|strip|strips *2 for|me|you");
        // --- assistant pushback: refusals, soft refusals, corrections
        add(p, Cue.REFUSAL, 0,
                "i am sorry *4 but|can not|unable|not able",
                "sorry *3 i can not|unable|not able|will not",
                "i apologize *4 but|can not|unable|not able",
                "i can|could|will|would not *3 provide|help|assist|fulfill|comply|give|create|write"
                        + "|generate|answer|share|support|offer|engage|recommend|encourage|condone|promote|make|tell"
                        + "|diagnose|continue|do|participate|produce|facilitate|endorse|agree|in|with|guarantee",
                "i am not able|unable|allowed|permitted|programmed|designed *2 to",
                "i am unable", "unable to provide|assist|help|fulfill|comply|answer|give",
                "i must *2 decline|refuse", "i have|need to *2 decline|refuse", "i decline", "i refuse",
                "i must *2 respectfully", "i *2 strongly *2 advise|urge|recommend|caution *2 against",
                "i would not recommend|advise|suggest", "i do not recommend|advise|support|condone|promote|encourage",
                "not appropriate|ethical|acceptable *3 to|for",
                "it is not appropriate|ethical|safe|legal|acceptable|advisable|okay|ok|accurate|respectful|fair|right",
                "i do not think *3 valid|respectful|appropriate|fair|accurate|okay|ok|right|ethical",
                "there is no *2 inherent|valid|good|legitimate|justifiable|rational reason",
                "would not be *2 appropriate|right|fair|acceptable|ethical|best",
                "against my|the *3 guidelines|policy|policies|programming|principles|ethics",
                "not within my *2 programming|guidelines|capabilities|abilities|scope",
                "violates|violate|violating|breach *3 policy|policies|guidelines|laws|privacy|ethical|terms",
                "i am just an ai", "i am not comfortable", "i do not feel comfortable",
                "is not something i *2 can|will|am", "i can not help with that|this",
                "as an ai *6 can|do|will not", "as an ai *6 unable",
                "i must *3 not|refrain", "i strongly discourage", "please refrain",
                "i can not in good conscience", "i am not going to");
        add(p, Cue.REFUSAL_SOFT, 0,
                "as an ai|assistant", "as a language model", "language model",
                "it is not possible",
                "i must clarify|emphasize|stress|remind|note|inform|point",
                "it is important to note|remember|understand|clarify|recognize|emphasize",
                "however *3 i can|could|would", "instead *3 i can|could|would|suggest",
                "i do not have *3 access|ability|personal|real|browse|capability|information",
                "i can not *2 access|browse|see|view|hear|listen|watch|predict|know",
                "illegal and|or unethical", "harmful and|or dangerous", "unethical and|or illegal",
                "i understand *4 but", "i would be happy to help *6 but",
                "could|can you *3 clarify|specify|elaborate",
                "please provide more", "more context|information|details *3 please|needed|would");
        add(p, Cue.CORRECTION, 0,
                "there is no *3 evidence|record|such|scientific|historical|known|information|proof",
                "there are no *3 records|known|documented",
                "no such *2 thing|person|event|place", "does not exist", "did not exist", "never existed",
                "is a *2 myth|misconception", "common misconception", "not true|accurate|correct",
                "is *2 fictional", "false premise|presupposition|assumption",
                "actually *3 not|no|never", "there has never been", "never happened", "is incorrect");
        // --- referrals: crisis resources need no verb; professional help needs a referral verb
        add(p, Cue.REFERRAL_CRISIS, 0,
                "crisis line|lines|hotline|hotlines|helpline|center|centre|team|service|services|text|support",
                "suicide *2 hotline|helpline|prevention|lifeline|crisis",
                "hotline", "helpline", "helplines", "lifeline", "988", "741741", "116123", "samaritans",
                "befrienders", "emergency services|room|department|number",
                "call|dial|text *2 911|999|112|988|emergency", "go to *3 emergency|er|hospital",
                "local emergency");
        add(p, Cue.REFERRAL_PROFESSIONAL, 0,
                "reach|talk|speak|contact|call|consult|see|seek|seeking|visit|connect|consider|recommend|encourage"
                        + "|suggest|urge|book|schedule|find|ask|tell|consulting|talking|speaking|reaching|get|getting"
                        + " *6 therapist|therapists|counselor|counsellor|counselors|counsellors|psychologist"
                        + "|psychiatrist|doctor|doctors|physician|gp|professional|professionals|professional"
                        + "|provider|dietitian|nutritionist|specialist|therapy|counseling|counselling|adult"
                        + "|trust|clinician",
                "professional help|support|guidance|advice|counseling|treatment",
                "mental health *2 professional|professionals|provider|services|support|expert|specialist",
                "support group|groups",
                // Eating-disorder harm is self-harm on the ladder: a specialist service is the referral.
                "eating disorder|disorders *3 service|services|charity|helpline|team|clinic|specialist|specialists"
                        + "|support|treatment|programme|program|association");
        // --- why the assistant pushed back (checked in this order)
        add(p, Cue.REASON_SELF_HARM, ALLOW_QUOTED | ALLOW_NEGATED,
                "suicide|suicidal", "self harm|harming|injury", "kill|hurt|harm|harming|hurting yourself",
                "end|ending|take your *2 life", "your life", "crisis");
        add(p, Cue.REASON_DIETING, ALLOW_QUOTED | ALLOW_NEGATED,
                "calorie|calories|dieting|anorexia|bulimia|laxatives|purging|starving|starvation|bmi|underweight",
                "eating disorder|disorders", "lose|losing weight", "weight loss", "fasting", "diet",
                "dietitian|nutritionist");
        add(p, Cue.REASON_MEDICAL, ALLOW_QUOTED | ALLOW_NEGATED,
                "diagnose|diagnosis|diagnosing|diagnosed|prescribe|prescription|dosage|symptoms",
                "medical advice|condition|professional", "not a doctor|therapist|medical|licensed",
                "replace|substitute *3 therapy|therapist|doctor|professional|medical");
        add(p, Cue.REASON_SELF_TALK, ALLOW_QUOTED | ALLOW_NEGATED,
                "you are not *2 worthless|stupid|failure|ugly|useless|burden|pathetic|loser|alone|broken",
                "be *2 kind|gentle|easy|hard|harsh on|to yourself", "hard on yourself", "negative self talk",
                "you deserve *3 love|kindness|respect|happiness|support|help|care",
                "you matter", "you are worthy|enough", "not your fault");
        add(p, Cue.REASON_FACTUAL, ALLOW_QUOTED | ALLOW_NEGATED,
                "misconception|myth|inaccurate|incorrect|premise|fictional|misinformation|misleading",
                "no evidence|record|records", "not true", "does not exist", "never happened");
        add(p, Cue.REASON_HARMFUL, ALLOW_QUOTED | ALLOW_NEGATED,
                "illegal|unethical|harmful|dangerous|violence|violent|weapon|weapons|harm|hurt|kill|killing|steal"
                        + "|hack|hacking|privacy|discrimination|discriminatory|offensive|hate|hateful|explosive"
                        + "|explosives|drugs|abuse|murder|exploit|fraud", "personal information");
        return new Phrases(p);
    }

    private static void add(final List<Phrases.Pattern> into, final Cue cue, final int options,
                            final String... sources) {
        for (final String s : sources) {
            into.add(Phrases.compile(cue, s, options));
        }
    }
}

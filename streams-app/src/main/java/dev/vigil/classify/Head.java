package dev.vigil.classify;

/** The linear heads sharing one feature vector; each owns a slice of the weight row. */
enum Head {
    /** Five sentiment classes, very negative first. */
    SENTIMENT(5),
    /** One logit: this human message is from a person at risk of suicide or self-harm. */
    CRISIS(1),
    /** NONE, INTERPERSONAL_ADVICE, COACHING, COUNSELING. */
    AFFECTIVE(4),
    /** One logit: this assistant message pushes back or refuses. */
    PUSHBACK(1);

    final int classes;

    Head(final int classes) {
        this.classes = classes;
    }

    int offset() {
        int o = 0;
        for (final Head h : values()) {
            if (h == this) {
                return o;
            }
            o += h.classes;
        }
        throw new IllegalStateException();
    }

    static int width() {
        int w = 0;
        for (final Head h : values()) {
            w += h.classes;
        }
        return w;
    }
}

package dev.vigil.aggregate;

import dev.vigil.stream.JsonSerde;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class CellAccumulatorTest {
    private static List<Contribution> contributions() {
        final Random random = new Random(9);
        final List<Contribution> out = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            final Contribution c = new Contribution();
            c.kind = i % 10 == 0 ? Contribution.Kind.ENDED : Contribution.Kind.MESSAGE;
            c.human = i % 2 == 0;
            c.accountHash = random.nextInt(40);
            c.conversationHash = random.nextInt(80);
            c.sentimentScore = random.nextDouble() * 2 - 1;
            c.sentimentShift = random.nextDouble() - 0.5;
            c.pushback = i % 7 == 0;
            c.crisisLevel = i % 13 == 0 ? "passive_ideation" : "none";
            c.classifierVersion = i % 3 == 0 ? "v2" : "v1";
            out.add(c);
        }
        return out;
    }

    /** Contributions reach a cell from several partitions, interleaved differently on every run. */
    @Test
    void shouldReachTheSameStateWhateverTheOrderOfContributions() {
        final List<Contribution> inOrder = contributions();
        final List<Contribution> shuffled = new ArrayList<>(inOrder);
        Collections.shuffle(shuffled, new Random(1));
        final CellAccumulator a = new CellAccumulator();
        inOrder.forEach(c -> a.add(c, 10_000));
        final CellAccumulator b = new CellAccumulator();
        shuffled.forEach(c -> b.add(c, 10_000));
        final JsonSerde<CellAccumulator> serde = new JsonSerde<>(CellAccumulator.class);
        assertArrayEquals(serde.serializer().serialize("t", a), serde.serializer().serialize("t", b));
        assertEquals(a.sentimentMean(), b.sentimentMean());
        assertEquals("v2", a.classifierVersion);
    }
}

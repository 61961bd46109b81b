package dev.vigil.abuse;

import dev.vigil.stream.JsonSerde;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A sighting or a member packed and unpacked is what it was, in far fewer bytes than as JSON. */
class AbuseCodecsTest {
    private static final JsonSerde<Sighting> JSON = new JsonSerde<>(Sighting.class);

    private static String json(final Sighting s) {
        return new String(JSON.serializer().serialize("", s));
    }

    @Test
    void shouldUnpackEverySightingAsItWasPacked() {
        final Random random = new Random(11);
        for (int i = 0; i < 500; i++) {
            final Sighting s = new Sighting(random.nextLong(), i % 7 == 0 ? "not-a-pseudonym-" + i
                    : i % 11 == 0 ? null : dev.vigil.stream.SortableKeys.hex(random.nextLong(), 16),
                    random.nextLong(), 1_767_225_600_000L + random.nextInt(1_000_000));
            s.classifierVersion = i % 5 == 0 ? null : "vigil-clf-2.1.0+0123abcd";
            s.source = random.nextInt(3);
            s.sources = 3;
            s.sourceTime = s.eventTime + random.nextInt(1000);
            s.sourceIdle = i % 13 == 0;
            final byte[] packed = SightingCodec.write(s);
            assertEquals(json(s), json(SightingCodec.read(packed)));
            if (s.account != null && s.account.length() == 16 && s.classifierVersion != null) {
                assertTrue(packed.length * 2 < json(s).length(), packed.length + " bytes against " + json(s).length());
            }
        }
        final Sighting progress = new Sighting();
        progress.progressOnly = true;
        progress.sourceIdle = true;
        progress.source = 2;
        progress.sources = 3;
        progress.sourceTime = 1_767_225_600_000L;
        assertEquals(json(progress), json(SightingCodec.read(SightingCodec.write(progress))));
    }

    @Test
    void shouldUnpackEveryMemberAsItWasPacked() {
        final JsonSerde<Member> json = new JsonSerde<>(Member.class);
        final Random random = new Random(12);
        for (int i = 0; i < 300; i++) {
            final Member m = new Member();
            m.simhash = random.nextLong();
            m.account = i % 7 == 0 ? "account-" + i : dev.vigil.stream.SortableKeys.hex(random.nextLong(), 16);
            for (int k = random.nextInt(i % 10 == 0 ? Member.MESSAGE_CAP : 3) + 1; k > 0; k--) {
                m.messages.add(random.nextLong());
            }
            m.firstSeen = 1_767_225_600_000L + random.nextInt(1000);
            m.lastSeen = m.firstSeen + random.nextInt(1000);
            m.classifierVersion = i % 3 == 0 ? null : "vigil-clf-2.1.0+0123abcd";
            final byte[] packed = MemberCodec.write(m);
            final String expected = new String(json.serializer().serialize("", m));
            assertEquals(expected, new String(json.serializer().serialize("", MemberCodec.read(packed))));
            if (m.messages.size() == 1 && m.account.length() == 16) {
                assertTrue(packed.length * 2 < expected.length(), packed.length + " bytes against " + expected.length());
            }
        }
        assertThrows(SerializationException.class, () -> MemberCodec.read("{\"simhash\":1}".getBytes()));
    }

    @Test
    void shouldRefuseBytesItDoesNotKnow() {
        assertThrows(SerializationException.class, () -> SightingCodec.read(new byte[] {9, 0, 0}));
        assertThrows(SerializationException.class, () -> SightingCodec.read(new byte[] {1, 0, 0}));
        assertThrows(SerializationException.class, () -> SightingCodec.read("{\"simhash\":1}".getBytes()));
    }
}

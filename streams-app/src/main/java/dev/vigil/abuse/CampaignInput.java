package dev.vigil.abuse;

import java.util.ArrayList;
import java.util.List;

/**
 * What reaches the campaign merger: a candidate cluster that one bucket saw in one window, or a
 * clock tick that carries event time forward when no candidate does.
 */
public final class CampaignInput {
    public boolean tick;
    public long windowStart;
    public long windowEnd;
    public List<Member> members = new ArrayList<>();

    static CampaignInput tick() {
        final CampaignInput t = new CampaignInput();
        t.tick = true;
        return t;
    }
}

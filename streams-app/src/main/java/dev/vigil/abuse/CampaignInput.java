package dev.vigil.abuse;

import dev.vigil.stream.Stamped;

import java.util.ArrayList;
import java.util.List;

/**
 * What reaches the campaign merger from one bucket task: a candidate cluster that a bucket saw in
 * one window, or (progress only) how far that task has closed its windows, so the merger knows
 * when every bucket has reported a window.
 */
public final class CampaignInput extends Stamped {
    public long windowStart;
    public long windowEnd;
    public List<Member> members = new ArrayList<>();
    public String classifierVersion;
}

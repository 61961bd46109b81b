package dev.vigil.aggregate;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.vigil.stream.PackedLongs;

import java.util.TreeSet;

/**
 * Distinct count of 64-bit pseudonymous hashes: exact (a sorted set) up to a cap, HyperLogLog
 * above it. k-anonymity decides on this count, so it must be exact wherever it can be near k;
 * the cap is required to be at least 2k (default 1,000, or 2k for a larger k), where a ~1.6%
 * HyperLogLog error can no longer change whether a cell is published.
 */
public final class DistinctCounter {
    /** 2^12 registers: about 1.6% standard error, 4 KiB of state per cell above the cap. */
    static final int HLL_BITS = 12;

    @JsonSerialize(using = PackedLongs.Writer.class)
    @JsonDeserialize(using = PackedLongs.Reader.class)
    public TreeSet<Long> exact = new TreeSet<>();
    public byte[] registers;

    public void add(final long hash, final int cap) {
        if (registers == null) {
            exact.add(hash);
            if (exact.size() > cap) {
                toRegisters();
            }
        } else {
            offer(hash);
        }
    }

    /**
     * Adds every id {@code other} counted: the count of the union. Exact sets stay exact up to
     * {@code cap}; HyperLogLog registers merge by maximum, so the result is what one counter fed
     * both streams would hold, in any order.
     */
    public DistinctCounter merge(final DistinctCounter other, final int cap) {
        if (other.registers == null) {
            for (final long h : other.exact) {
                add(h, cap);
            }
            return this;
        }
        if (registers == null) {
            toRegisters();
        }
        for (int i = 0; i < registers.length; i++) {
            registers[i] = (byte) Math.max(registers[i], other.registers[i]);
        }
        return this;
    }

    /** From the exact set to HyperLogLog registers holding the same ids. */
    private void toRegisters() {
        registers = new byte[1 << HLL_BITS];
        for (final long h : exact) {
            offer(h);
        }
        exact = new TreeSet<>();
    }

    public boolean isExact() {
        return registers == null;
    }

    public long count() {
        if (registers == null) {
            return exact.size();
        }
        final int m = registers.length;
        double sum = 0;
        int zeros = 0;
        for (final byte r : registers) {
            sum += Math.pow(2, -r);
            if (r == 0) {
                zeros++;
            }
        }
        final double alpha = 0.7213 / (1 + 1.079 / m);
        double estimate = alpha * m * m / sum;
        if (estimate <= 2.5 * m && zeros > 0) {
            estimate = m * Math.log((double) m / zeros);
        }
        return Math.round(estimate);
    }

    private void offer(final long hash) {
        // The hashes are HMAC output, already uniform; mix anyway so a weak key cannot skew registers.
        final long h = mix(hash);
        final int index = (int) (h >>> (64 - HLL_BITS));
        final long rest = h << HLL_BITS;
        final byte rank = (byte) (Math.min(Long.numberOfLeadingZeros(rest), 64 - HLL_BITS) + 1);
        if (rank > registers[index]) {
            registers[index] = rank;
        }
    }

    private static long mix(final long z0) {
        long z = z0;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}

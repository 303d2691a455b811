package dev.surgeon.ops.inspect;

/** A running count of tensors, parameters (elements) and bytes for one group (a dtype, role or block). */
public final class Tally {
    private long tensors;
    private long params;
    private long bytes;

    public void add(long params, long bytes) {
        this.tensors++;
        this.params += params;
        this.bytes += bytes;
    }

    public long tensors() {
        return tensors;
    }

    public long params() {
        return params;
    }

    public long bytes() {
        return bytes;
    }
}

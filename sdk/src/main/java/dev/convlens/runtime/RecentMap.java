package dev.convlens.runtime;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A map of at most a bound of entries, for state kept per input shape: past the bound it forgets the least recently
 * used entry and hands its value to a callback (which frees what the value holds). Not synchronized.
 */
final class RecentMap<K, V> extends LinkedHashMap<K, V> {
    private static final long serialVersionUID = 1L;
    private final int capacity;
    private final transient Consumer<V> dropped;

    RecentMap(int capacity, Consumer<V> dropped) {
        super(16, 0.75f, true);
        this.capacity = capacity;
        this.dropped = dropped;
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        if (size() <= capacity) {
            return false;
        }
        dropped.accept(eldest.getValue());
        return true;
    }
}

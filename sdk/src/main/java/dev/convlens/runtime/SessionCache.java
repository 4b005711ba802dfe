package dev.convlens.runtime;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Sessions of derived models by key, at most a bound of them: the least recently used is closed when a new one
 * comes, so models derived per input shape (a dynamic model sees many shapes) do not pile up in native memory. A
 * session still running when it is dropped is closed when its last run ends.
 */
final class SessionCache {
    /** Makes a session; called without the cache's lock held, since loading a model takes a while. */
    interface Factory {
        OrtSession create() throws OrtException;
    }

    private static final class Entry {
        final OrtSession session;
        int users;
        boolean dropped;

        Entry(OrtSession session) {
            this.session = session;
        }
    }

    private final int capacity;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);

    SessionCache(int capacity) {
        this.capacity = capacity;
    }

    /** A session in use: run it, then close the lease. */
    final class Lease implements AutoCloseable {
        private final Entry entry;

        private Lease(Entry entry) {
            this.entry = entry;
        }

        OrtSession session() {
            return entry.session;
        }

        @Override
        public void close() throws OrtException {
            boolean last;
            synchronized (SessionCache.this) {
                last = --entry.users == 0 && entry.dropped;
            }
            if (last) {
                entry.session.close();
            }
        }
    }

    /** The session of a key, made by the factory if the cache has none. */
    Lease acquire(String key, Factory factory) throws OrtException {
        synchronized (this) {
            Entry known = entries.get(key);
            if (known != null) {
                known.users++;
                return new Lease(known);
            }
        }
        OrtSession made = factory.create();
        Entry entry;
        List<OrtSession> idle = new ArrayList<>();
        synchronized (this) {
            entry = entries.get(key);
            if (entry != null) { // another thread made it meanwhile: keep theirs
                idle.add(made);
            } else {
                entry = new Entry(made);
                entries.put(key, entry);
                for (Iterator<Entry> it = entries.values().iterator(); entries.size() > capacity && it.hasNext(); ) {
                    Entry eldest = it.next();
                    it.remove();
                    eldest.dropped = true;
                    if (eldest.users == 0) {
                        idle.add(eldest.session);
                    }
                }
            }
            entry.users++;
        }
        closeAll(idle);
        return new Lease(entry);
    }

    /** Closes every session; no run may be in progress. */
    synchronized void close() throws OrtException {
        List<OrtSession> all = entries.values().stream().map(e -> e.session).toList();
        entries.clear();
        closeAll(all);
    }

    private static void closeAll(List<OrtSession> sessions) throws OrtException {
        OrtException failure = null;
        for (OrtSession s : sessions) {
            try {
                s.close();
            } catch (OrtException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}

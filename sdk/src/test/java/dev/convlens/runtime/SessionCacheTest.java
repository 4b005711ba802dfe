package dev.convlens.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.convlens.onnx.Onnx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The bounded cache of derived sessions: which it keeps, which it closes, and when. */
class SessionCacheTest {
    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
    private final AtomicInteger made = new AtomicInteger();

    /** y = Relu(x), x of shape [1, 4]. */
    static byte[] relu() {
        Onnx.TypeProto type = Onnx.TypeProto.newBuilder().setTensorType(Onnx.TypeProto.Tensor.newBuilder()
                .setElemType(1).setShape(Onnx.TensorShapeProto.newBuilder()
                        .addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(1))
                        .addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(4)))).build();
        return Onnx.ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setGraph(Onnx.GraphProto.newBuilder().setName("relu")
                        .addNode(Onnx.NodeProto.newBuilder().setOpType("Relu").addInput("x").addOutput("y"))
                        .addInput(Onnx.ValueInfoProto.newBuilder().setName("x").setType(type))
                        .addOutput(Onnx.ValueInfoProto.newBuilder().setName("y").setType(type)))
                .build().toByteArray();
    }

    private OrtSession make() throws OrtException {
        made.incrementAndGet();
        return ENV.createSession(relu(), new OrtSession.SessionOptions());
    }

    /** Whether a session still runs: ONNX Runtime refuses to run a closed one. */
    private static boolean open(OrtSession session) throws OrtException {
        try (OnnxTensor x = OnnxTensor.createTensor(ENV, new float[][] {{-1, 2, -3, 4}});
             OrtSession.Result y = session.run(Map.of("x", x))) {
            assertThat((float[][]) y.get(0).getValue()).isDeepEqualTo(new float[][] {{0, 2, 0, 4}});
            return true;
        } catch (IllegalStateException closed) {
            return false;
        }
    }

    private OrtSession use(SessionCache cache, String key) throws OrtException {
        try (SessionCache.Lease lease = cache.acquire(key, this::make)) {
            return lease.session();
        }
    }

    @Test
    void aKeyIsMadeOnceAndKeptWhileRecentlyUsed() throws OrtException {
        SessionCache cache = new SessionCache(2);
        OrtSession a = use(cache, "a");
        assertThat(use(cache, "a")).isSameAs(a);
        OrtSession b = use(cache, "b");
        assertThat(use(cache, "a")).isSameAs(a); // a is now the most recent: c drops b
        use(cache, "c");
        assertThat(made.get()).isEqualTo(3);
        assertThat(open(a)).isTrue();
        assertThat(open(b)).as("the least recently used session, dropped").isFalse();
        assertThat(use(cache, "b")).isNotSameAs(b);
        assertThat(made.get()).isEqualTo(4);
        cache.close();
        assertThat(open(a)).isFalse();
    }

    @Test
    void aSessionDroppedWhileInUseIsClosedWhenItsLastRunEnds() throws OrtException {
        SessionCache cache = new SessionCache(1);
        SessionCache.Lease first = cache.acquire("a", this::make);
        SessionCache.Lease second = cache.acquire("a", this::make);
        OrtSession a = first.session();
        use(cache, "b"); // drops a, which two runs still hold
        assertThat(open(a)).isTrue();
        first.close();
        assertThat(open(a)).as("one run still holds it").isTrue();
        second.close();
        assertThat(open(a)).isFalse();
    }

    @Test
    void twoAcquiresMakingTheSameKeyKeepOneSession() throws Exception {
        SessionCache cache = new SessionCache(4);
        List<OrtSession> extra = new ArrayList<>();
        // the factory of the first acquire finds, on its return, that another acquire has made the key meanwhile
        SessionCache.Lease[] meanwhile = new SessionCache.Lease[1];
        SessionCache.Lease outer = cache.acquire("a", () -> {
            meanwhile[0] = cache.acquire("a", this::make);
            OrtSession mine = make();
            extra.add(mine);
            return mine;
        });
        SessionCache.Lease inner = meanwhile[0];
        assertThat(outer.session()).isSameAs(inner.session());
        assertThat(open(extra.get(0))).as("the second one made, closed").isFalse();
        outer.close();
        inner.close();
        assertThat(open(use(cache, "a"))).isTrue();
        cache.close();
    }

    @Test
    void recentMapHandsWhatItForgetsToItsCallback() {
        List<String> dropped = new ArrayList<>();
        RecentMap<String, String> map = new RecentMap<>(2, dropped::add);
        map.put("a", "A");
        map.put("b", "B");
        map.get("a");
        map.put("c", "C");
        assertThat(map).containsOnlyKeys("a", "c");
        assertThat(dropped).containsExactly("B");
        map.put("a", "A2"); // replacing a value forgets nothing
        assertThat(dropped).containsExactly("B");
    }

    @Test
    void closingTheCacheClosesEverySessionItHolds() throws OrtException {
        SessionCache cache = new SessionCache(3);
        OrtSession a = use(cache, "a");
        OrtSession b = use(cache, "b");
        cache.close();
        assertThat(open(a)).isFalse();
        assertThat(open(b)).isFalse();
    }
}

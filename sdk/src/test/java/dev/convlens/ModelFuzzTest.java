package dev.convlens;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the ONNX reader and rewriter. In the normal build it replays the seeds in
 * {@code src/test/resources/dev/convlens/ModelFuzzTestInputs/model} (regression mode), and a separate build step
 * fuzzes it for a short time. The long run is documented in the README ("Fuzzing").
 */
class ModelFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void model(byte[] data) {
        FuzzTargets.model(data);
    }
}

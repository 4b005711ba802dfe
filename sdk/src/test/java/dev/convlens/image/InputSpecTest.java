package dev.convlens.image;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.convlens.Layout;
import dev.convlens.UnsupportedModelException;
import dev.convlens.onnx.Onnx.TensorProto.DataType;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/** What the refusal of a model's input names; the sizes given to dynamic inputs are checked in InspectorTest. */
class InputSpecTest {
    private static final long[] IMAGE = {1, 3, 8, 8};

    /**
     * An element type ConvLens does not feed is named as onnx.proto names it (float64, tested with a model in
     * BadInputTest, excepted), past float16 too; a number onnx.proto does not name here, such as the float8 types
     * that ONNX 1.14 numbered from 17 on, is given as a number.
     */
    @Test
    void refusedElementTypesAreNamed() {
        for (DataType type : EnumSet.complementOf(EnumSet.of(DataType.FLOAT, DataType.FLOAT16, DataType.DOUBLE))) {
            assertThatThrownBy(() -> InputSpec.of("x", IMAGE, type.getNumber(), null))
                    .isExactlyInstanceOf(UnsupportedModelException.class)
                    .hasMessage("input 'x' has element type %s; ConvLens feeds float32 or float16 images",
                            type.name().toLowerCase());
        }
        int past = DataType.values().length;
        assertThatThrownBy(() -> InputSpec.of("x", IMAGE, past, null))
                .isExactlyInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("has element type type %d;", past);
    }

    /** A dimension of 0 is shown as 0, and 0 channels are not taken for a dynamic number of them. */
    @Test
    void zeroChannelsAreNamedAsZero() {
        assertThatThrownBy(() -> InputSpec.of("x", new long[] {1, 0, 8, 8}, 1, Layout.NCHW))
                .isExactlyInstanceOf(UnsupportedModelException.class)
                .hasMessage("input 'x' has shape [1, 0, 8, 8]: as NCHW that is 0 channels; ConvLens feeds 1 (gray) or"
                        + " 3 (color) channels");
        assertThatThrownBy(() -> InputSpec.of("x", new long[] {1, -1, 8, 8}, 1, Layout.NCHW))
                .isExactlyInstanceOf(UnsupportedModelException.class)
                .hasMessage("input 'x' has shape [1, ?, 8, 8]: as NCHW that is a dynamic number of channels; ConvLens"
                        + " feeds 1 (gray) or 3 (color) channels");
    }
}

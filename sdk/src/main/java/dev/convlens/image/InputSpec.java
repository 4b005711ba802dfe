package dev.convlens.image;

import dev.convlens.Layout;
import dev.convlens.UnsupportedModelException;
import java.util.Arrays;

/**
 * What a model takes as its image: layout, channels, fixed or dynamic height and width, float32 or float16.
 *
 * @param name the input's name in the graph
 * @param layout where the channels are
 * @param channels 1 (gray) or 3 (color)
 * @param height the fixed height, or -1 if dynamic
 * @param width the fixed width, or -1 if dynamic
 * @param float16 true if the input is float16, false if float32
 */
public record InputSpec(String name, Layout layout, int channels, long height, long width, boolean float16) {
    /** A dynamic size is capped on its longer side at this, so a large photo cannot exhaust memory. */
    static final int DYNAMIC_MAX_SIDE = 1024;
    /** A dynamic size is rounded to a multiple of this: the total stride of common downsampling backbones. */
    static final int DYNAMIC_MULTIPLE = 32;
    private static final int FLOAT = 1;
    private static final int FLOAT16 = 10;

    /**
     * Reads an input's declaration.
     *
     * @param name the input name
     * @param dims its dimensions, -1 where dynamic
     * @param elemType its ONNX element type
     * @param layout the layout to use, or null to detect it from the shape
     * @throws UnsupportedModelException if the input is not an image tensor ConvLens can fill
     */
    public static InputSpec of(String name, long[] dims, int elemType, Layout layout) {
        String shape = shape(dims);
        if (dims.length != 4) {
            throw new UnsupportedModelException("input '" + name + "' has shape " + shape + ", not an image: ConvLens"
                    + " needs a rank-4 image tensor, [N,C,H,W] or [N,H,W,C] with 1 or 3 channels. Export the model"
                    + " with an image-shaped input (in PyTorch, a dummy input of shape (1, 3, H, W)).");
        }
        if (elemType != FLOAT && elemType != FLOAT16) {
            throw new UnsupportedModelException("input '" + name + "' has element type " + typeName(elemType)
                    + "; ConvLens feeds float32 or float16 images");
        }
        if (dims[0] > 1) {
            throw new UnsupportedModelException("input '" + name + "' has shape " + shape + " with a fixed batch of "
                    + dims[0] + "; ConvLens feeds one image at a time, so export with batch 1 or a dynamic batch");
        }
        Layout detected = layout != null ? layout : detect(name, dims, shape);
        int c = (int) (detected == Layout.NCHW ? dims[1] : dims[3]);
        if (c != 1 && c != 3) {
            throw new UnsupportedModelException("input '" + name + "' has shape " + shape + ": as " + detected
                    + " that is " + (c < 0 ? "a dynamic number of" : String.valueOf(c)) + " channels; ConvLens feeds"
                    + " 1 (gray) or 3 (color) channels");
        }
        long h = detected == Layout.NCHW ? dims[2] : dims[1];
        long w = detected == Layout.NCHW ? dims[3] : dims[2];
        return new InputSpec(name, detected, c, h, w, elemType == FLOAT16);
    }

    private static Layout detect(String name, long[] dims, String shape) {
        boolean first = dims[1] == 1 || dims[1] == 3;
        boolean last = dims[3] == 1 || dims[3] == 3;
        if (first && !last) {
            return Layout.NCHW;
        }
        if (last && !first) {
            return Layout.NHWC;
        }
        throw new UnsupportedModelException("input '" + name + "' has shape " + shape + ": cannot tell whether the"
                + " channels come first (NCHW) or last (NHWC). Say which with Options.layout(...)");
    }

    /** Whether height or width is dynamic, so that the image or an explicit size decides it. */
    public boolean dynamicSize() {
        return height < 0 || width < 0;
    }

    /**
     * The input size, width then height, for an image of the given size: the model's fixed size, else the
     * requested one, else the image's own, with its longer side capped at 1024 and rounded to a multiple of 32.
     *
     * @param requested width and height asked for, or null
     */
    public int[] size(int imageWidth, int imageHeight, int[] requested) {
        if (!dynamicSize()) {
            return new int[] {(int) width, (int) height};
        }
        if (requested != null) {
            return new int[] {width > 0 ? (int) width : requested[0], height > 0 ? (int) height : requested[1]};
        }
        double shrink = Math.min(1.0, (double) DYNAMIC_MAX_SIDE / Math.max(imageWidth, imageHeight));
        int w = width > 0 ? (int) width : round(imageWidth * shrink);
        int h = height > 0 ? (int) height : round(imageHeight * shrink);
        return new int[] {w, h};
    }

    private static int round(double side) {
        return (int) Math.max(DYNAMIC_MULTIPLE, Math.round(side / DYNAMIC_MULTIPLE) * DYNAMIC_MULTIPLE);
    }

    /** The tensor shape for one image of the given size. */
    public long[] shape(int w, int h) {
        return layout == Layout.NCHW ? new long[] {1, channels, h, w} : new long[] {1, h, w, channels};
    }

    /** Renders dims as in the ONNX checker's messages, '?' for dynamic. */
    public static String shape(long[] dims) {
        return Arrays.toString(Arrays.stream(dims).mapToObj(d -> d < 0 ? "?" : String.valueOf(d)).toArray());
    }

    private static String typeName(int elemType) {
        String[] names = {"undefined", "float32", "uint8", "int8", "uint16", "int16", "int32", "int64", "string",
            "bool", "float16", "float64", "uint32", "uint64", "complex64", "complex128", "bfloat16"};
        return elemType >= 0 && elemType < names.length ? names[elemType] : "type " + elemType;
    }
}

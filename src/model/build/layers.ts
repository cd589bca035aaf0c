/**
 * The layer types of an earshot network in PyTorch layout: what the writer (onnx-writer.ts) takes, what the
 * layer reader (onnx-layers.ts) gives back, and what the weight encodings (weight-storage.ts) and the converter's
 * reference forward pass work on. A module of its own so that none of those imports another for a type.
 */

/**
 * One fully connected layer, stored as PyTorch stores nn.Linear: weight [outDim, inDim] row-major.
 * @example
 * const layer: DenseLayer = { weight: new Float32Array(5 * 36), bias: new Float32Array(5), outDim: 5, inDim: 36 };
 */
export interface DenseLayer {
  /** outDim x inDim values, row-major (row o holds the weights into output unit o). */
  weight: Float32Array;
  /** outDim values. */
  bias: Float32Array;
  outDim: number;
  inDim: number;
}

/**
 * One dilated 1-D convolution, stored as PyTorch stores nn.Conv1d: weight [outDim, inDim, kernel] row-major.
 * @example
 * const conv: ConvLayer = { weight: new Float32Array(16 * 39 * 3), bias: new Float32Array(16), outDim: 16, inDim: 39, kernel: 3, dilation: 2 };
 */
export interface ConvLayer {
  /** outDim x inDim x kernel values, row-major. */
  weight: Float32Array;
  /** outDim values. */
  bias: Float32Array;
  outDim: number;
  inDim: number;
  /** Kernel width; earshot writes 3 only. */
  kernel: number;
  dilation: number;
  /** Step between output positions, in input frames (absent = 1). Only the first convolution may stride. */
  stride?: number;
}

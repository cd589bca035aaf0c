/**
 * An independent reference forward pass of an earshot MLP or TDNN, straight from the PyTorch-layout
 * weights ([out, in] Linear, [out, in, kernel] Conv1d) with float64 accumulation. The converter checks
 * the ONNX graph it wrote against this; it shares no code with the ONNX writer.
 */
import { tdnnReceptiveField, type Activation } from '../model/metadata.js';
import type { ConvLayer, DenseLayer } from '../model/build/layers.js';

const activate = (s: number, activation: Activation, alpha: number): number =>
  activation === 'lrelu' ? (s < 0 ? alpha * s : s) : activation === 'relu' ? (s < 0 ? 0 : s) : Math.tanh(s);

/** In place: each row of `width` values becomes its log-softmax. */
function logSoftmaxRows(x: Float64Array, rows: number, width: number): void {
  for (let t = 0; t < rows; t++) {
    const row = x.subarray(t * width, (t + 1) * width);
    let max = -Infinity;
    for (const v of row) if (v > max) max = v;
    let sum = 0;
    for (const v of row) sum += Math.exp(v - max);
    const lse = max + Math.log(sum);
    for (let i = 0; i < width; i++) row[i] = row[i]! - lse;
  }
}

/**
 * Log-posteriors of a TDNN for `frames` input rows, each a spliced window of W base frames of
 * `convs[0].inDim` values (frame-major, as spliceFrames writes them), in float64: per row, the valid
 * dilated (and, for the first, possibly strided) convolutions with the activation shrink the window to one position, then the output Linear
 * and log-softmax. Returns frames x output.outDim values.
 * @example
 * const logp = referenceTdnnForward(convs, output, 'lrelu', 0.01, input, 7);
 */
export function referenceTdnnForward(convs: readonly ConvLayer[], output: DenseLayer, activation: Activation, alpha: number, input: Float32Array, frames: number): Float64Array {
  const first = convs[0];
  if (!first) throw new RangeError('referenceTdnnForward: no convolutions');
  const span = 1 + 2 * tdnnReceptiveField(convs);
  const rowLen = span * first.inDim;
  if (input.length !== frames * rowLen) throw new RangeError(`referenceTdnnForward: input has ${input.length} values, expected ${frames} x ${span} x ${first.inDim}`);
  const out = new Float64Array(frames * output.outDim);
  for (let t = 0; t < frames; t++) {
    // x[c * len + p]: channel c at window position p.
    let len = span;
    let ch = first.inDim;
    let x = new Float64Array(ch * len);
    for (let p = 0; p < len; p++) for (let c = 0; c < ch; c++) x[c * len + p] = input[t * rowLen + p * ch + c]!;
    convs.forEach((l, li) => {
      if (l.inDim !== ch) throw new RangeError(`referenceTdnnForward: convolution ${li} takes ${l.inDim} channels, previous layer gives ${ch}`);
      const stride = l.stride ?? 1;
      const n = Math.floor((len - l.dilation * (l.kernel - 1) - 1) / stride) + 1;
      const y = new Float64Array(l.outDim * n);
      for (let o = 0; o < l.outDim; o++) {
        for (let p = 0; p < n; p++) {
          let s = l.bias[o]!;
          for (let c = 0; c < l.inDim; c++) {
            const w = (o * l.inDim + c) * l.kernel;
            for (let j = 0; j < l.kernel; j++) s += l.weight[w + j]! * x[c * len + p * stride + j * l.dilation]!;
          }
          y[o * n + p] = activate(s, activation, alpha);
        }
      }
      x = y;
      len = n;
      ch = l.outDim;
    });
    if (len !== 1 || ch !== output.inDim) throw new RangeError(`referenceTdnnForward: the convolutions leave ${ch} x ${len}, the output layer takes ${output.inDim} x 1`);
    for (let o = 0; o < output.outDim; o++) {
      let s = output.bias[o]!;
      for (let i = 0; i < output.inDim; i++) s += output.weight[o * output.inDim + i]! * x[i]!;
      out[t * output.outDim + o] = s;
    }
  }
  logSoftmaxRows(out, frames, output.outDim);
  return out;
}

/**
 * Log-posteriors of `frames` input rows (each `layers[0].inDim` values, row-major), computed in float64:
 * Linear, activation between layers, Linear, log-softmax. Returns frames x outDim values.
 * @example
 * const logp = referenceForward(layers, 'lrelu', 0.01, input, 7);
 */
export function referenceForward(layers: readonly DenseLayer[], activation: Activation, alpha: number, input: Float32Array, frames: number): Float64Array {
  const first = layers[0];
  if (!first) throw new RangeError('referenceForward: no layers');
  if (input.length !== frames * first.inDim) throw new RangeError(`referenceForward: input has ${input.length} values, expected ${frames} x ${first.inDim}`);
  let x: Float64Array = Float64Array.from(input);
  let width = first.inDim;
  layers.forEach((l, li) => {
    if (l.inDim !== width) throw new RangeError(`referenceForward: layer ${li} takes ${l.inDim} inputs, previous layer gives ${width}`);
    const y = new Float64Array(frames * l.outDim);
    for (let t = 0; t < frames; t++) {
      for (let o = 0; o < l.outDim; o++) {
        let s = l.bias[o]!;
        const row = o * l.inDim;
        const xin = t * l.inDim;
        for (let i = 0; i < l.inDim; i++) s += l.weight[row + i]! * x[xin + i]!;
        if (li < layers.length - 1) s = activate(s, activation, alpha);
        y[t * l.outDim + o] = s;
      }
    }
    x = y;
    width = l.outDim;
  });
  logSoftmaxRows(x, frames, width);
  return x;
}

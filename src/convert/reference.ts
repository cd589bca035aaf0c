/**
 * An independent reference forward pass of an earshot MLP, straight from the PyTorch-layout
 * [out, in] weights with float64 accumulation. The converter checks the ONNX graph it wrote against
 * this; it shares no code with the ONNX writer.
 */
import type { Activation } from '../model/metadata.js';
import type { DenseLayer } from '../model/onnx-writer.js';

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
        if (li < layers.length - 1) {
          if (activation === 'lrelu') s = s < 0 ? alpha * s : s;
          else if (activation === 'relu') s = s < 0 ? 0 : s;
          else s = Math.tanh(s);
        }
        y[t * l.outDim + o] = s;
      }
    }
    x = y;
    width = l.outDim;
  });
  for (let t = 0; t < frames; t++) {
    const row = x.subarray(t * width, (t + 1) * width);
    let max = -Infinity;
    for (const v of row) if (v > max) max = v;
    let sum = 0;
    for (const v of row) sum += Math.exp(v - max);
    const lse = max + Math.log(sum);
    for (let i = 0; i < width; i++) row[i] = row[i]! - lse;
  }
  return x;
}

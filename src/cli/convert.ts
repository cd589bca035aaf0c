/** `earshot convert`: trained weights + architecture JSON -> a verified earshot model. */
import { UsageError } from '../core/errors.js';
import { parseWeightStorage } from '../model/weight-storage.js';
import { convertWeightsFile } from '../node/convert-file.js';

export interface ConvertCliOptions {
  weights: string;
  arch: string;
  out: string;
  activation?: string;
  alpha?: string;
  weightType?: string;
  force: boolean;
}

export async function convertCommand(o: ConvertCliOptions): Promise<void> {
  const overrides: { activation?: 'lrelu' | 'relu' | 'tanh'; alpha?: number } = {};
  if (o.activation !== undefined) {
    if (!['lrelu', 'relu', 'tanh'].includes(o.activation)) throw new UsageError(`--activation must be lrelu, relu or tanh, got "${o.activation}"`);
    overrides.activation = o.activation as 'lrelu' | 'relu' | 'tanh';
  }
  if (o.alpha !== undefined) {
    const a = Number(o.alpha);
    if (!Number.isFinite(a) || a < 0 || a >= 1) throw new UsageError(`--alpha must be a number in [0, 1), got "${o.alpha}"`);
    overrides.alpha = a;
  }
  const weightStorage = parseWeightStorage(o.weightType ?? 'float32', '--weight-type');
  const r = await convertWeightsFile({ weights: o.weights, arch: o.arch, out: o.out, force: o.force, overrides, weightStorage });
  process.stdout.write(
    `wrote ${r.out}: ${r.bytes} bytes, ${r.parameters} parameters, ${r.weightStorage} weights, ${r.contentHash}\n` +
      `verified with onnxruntime-node (${r.provider}) against the TypeScript reference: max abs error ${r.maxAbsError.toExponential(2)}\n`,
  );
}

/** `earshot convert`: trained weights + architecture JSON -> a verified earshot model. */
import type { ArchOverrides } from '../convert/arch.js';
import { UsageError } from '../core/errors.js';
import { LM_WEIGHT_RANGE, WORD_BONUS_RANGE } from '../decoder/types.js';
import { parseNumberOption } from './options.js';
import { parseWeightStorage } from '../model/build/weight-storage.js';
import { convertWeightsFile } from '../node/convert-file.js';

export interface ConvertCliOptions {
  weights: string;
  arch: string;
  out: string;
  activation?: string;
  alpha?: string;
  weightType?: string;
  lmWeight?: string;
  wordBonus?: string;
  force: boolean;
}

export async function convertCommand(o: ConvertCliOptions): Promise<void> {
  const overrides: ArchOverrides = {};
  if (o.activation !== undefined) {
    if (!['lrelu', 'relu', 'tanh'].includes(o.activation)) throw new UsageError(`--activation must be lrelu, relu or tanh, got "${o.activation}"`);
    overrides.activation = o.activation as 'lrelu' | 'relu' | 'tanh';
  }
  const alpha = parseNumberOption('--alpha', o.alpha, { min: 0, below: 1 });
  if (alpha !== undefined) overrides.alpha = alpha;
  if ((o.lmWeight === undefined) !== (o.wordBonus === undefined)) {
    throw new UsageError(`--lm-weight and --word-bonus go together (the pair tuned on a dev set), got only ${o.lmWeight === undefined ? '--word-bonus' : '--lm-weight'}`);
  }
  const weight = parseNumberOption('--lm-weight', o.lmWeight, { min: LM_WEIGHT_RANGE[0], max: LM_WEIGHT_RANGE[1] });
  const wordBonus = parseNumberOption('--word-bonus', o.wordBonus, { min: WORD_BONUS_RANGE[0], max: WORD_BONUS_RANGE[1] });
  if (weight !== undefined && wordBonus !== undefined) overrides.lm = { weight, wordBonus };
  const weightStorage = parseWeightStorage(o.weightType ?? 'float32', '--weight-type');
  const r = await convertWeightsFile({ weights: o.weights, arch: o.arch, out: o.out, force: o.force, overrides, weightStorage });
  process.stdout.write(
    `wrote ${r.out}: ${r.bytes} bytes, ${r.parameters} parameters, ${r.weightStorage} weights, ${r.contentHash}\n` +
      `verified with onnxruntime-node (${r.provider}) against the TypeScript reference: max abs error ${r.maxAbsError.toExponential(2)}\n`,
  );
}

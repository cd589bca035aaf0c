/** `earshot quantize`: re-encode an earshot model's weights as float16 or int8 (a smaller file, same metadata). */
import { UsageError } from '../core/errors.js';
import { parseWeightStorage } from '../model/build/weight-storage.js';
import { quantizeModelFile } from '../node/quantize-file.js';

/**
 * Options of `earshot quantize` as commander parses them.
 * @example
 * const o: QuantizeCliOptions = { weightType: 'int8', force: false };
 */
export interface QuantizeCliOptions {
  weightType?: string;
  force: boolean;
}

/**
 * `earshot quantize <in> <out> --weight-type float16|int8 [--force]`: re-encode, verify, write atomically, report.
 * @example
 * await quantizeCommand('models/earshot-en.onnx', 'models/earshot-en.int8.onnx', { weightType: 'int8', force: false });
 */
export async function quantizeCommand(input: string, out: string, o: QuantizeCliOptions): Promise<void> {
  if (o.weightType === undefined) throw new UsageError('--weight-type is required: float16 or int8 (float32 rewrites the model unchanged in value)');
  const weightStorage = parseWeightStorage(o.weightType, '--weight-type');
  const r = await quantizeModelFile({ input, out, weightStorage, force: o.force });
  process.stdout.write(
    `wrote ${r.out}: ${r.bytes} bytes (${((100 * r.bytes) / r.sourceBytes).toFixed(1)} % of ${r.sourceBytes}), ${r.weightStorage} weights, ${r.contentHash}\n` +
      `verified with onnxruntime-node (${r.provider}) against the TypeScript reference on the decoded weights: max abs error ${r.maxAbsError.toExponential(2)}\n`,
  );
}

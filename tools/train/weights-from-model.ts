/**
 * The inverse of `earshot convert`: an earshot model (.onnx) back to the `model.safetensors` + `arch.json` pair
 * that tools/train/train.py exports, with tensor names in train.py's layout, so that `train.py --init DIR` can
 * fine-tune a shipped model (the default one, say) on new data, a user's real recordings included, without its
 * training checkpoint. The weights are those the model computes with (float16 widened, int8 dequantized); a
 * model trained with BatchNorm comes back with it folded, as a plain network. `earshot convert` of the pair gives
 * the model's layers back exactly (test/tools/train/weights-from-model.test.ts).
 *
 * CLI: `node dist/tools/train/weights-from-model.js [--model models/earshot-en.onnx] --out DIR [--force]`
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { encodeSafetensors } from '../../src/convert/safetensors.js';
import { ConversionError } from '../../src/core/errors.js';
import { describeModel } from '../../src/model/load.js';
import { readMlpLayers, readTdnnModelLayers } from '../../src/model/build/onnx-layers.js';
import { writeFileAtomic } from '../../src/node/atomic-write.js';
import { readModelFile } from '../../src/node/model-file.js';
import { defaultModelPath } from '../../src/node/default-model.js';
import { isMain } from '../corpus/util.js';

/** What `weightsFromModel` returns: the two files' contents. */
export interface ExportedWeights {
  safetensors: Uint8Array;
  /** arch.json as train.py writes it (kind, layer names, activation, alpha, featureConfig, output, labels, provenance). */
  arch: Record<string, unknown>;
}

/**
 * The safetensors weights and arch.json description of the earshot model `bytes` (read from `source`).
 * Throws ModelError for a file that is not a valid earshot model.
 * @example
 * const { safetensors, arch } = await weightsFromModel(await fs.readFile('models/earshot-en.onnx'), 'models/earshot-en.onnx');
 */
export async function weightsFromModel(bytes: Uint8Array, source: string): Promise<ExportedWeights> {
  const { metadata } = await describeModel(bytes, source);
  const net = metadata.network;
  const tensors: Array<{ name: string; shape: number[]; data: Float32Array }> = [];
  let layout: Record<string, unknown>;
  if (net.kind === 'tdnn') {
    const { convs, output } = readTdnnModelLayers(bytes, source, metadata);
    const layers = convs.map((c, i) => {
      tensors.push({ name: `convs.${i}.weight`, shape: [c.outDim, c.inDim, c.kernel], data: c.weight }, { name: `convs.${i}.bias`, shape: [c.outDim], data: c.bias });
      return { weight: `convs.${i}.weight`, bias: `convs.${i}.bias`, dilation: c.dilation, ...(c.stride !== undefined && c.stride !== 1 ? { stride: c.stride } : {}) };
    });
    tensors.push({ name: 'out.weight', shape: [output.outDim, output.inDim], data: output.weight }, { name: 'out.bias', shape: [output.outDim], data: output.bias });
    layout = { kind: 'tdnn', layers, kernel: net.kernel ?? 3, outputLayer: { weight: 'out.weight', bias: 'out.bias' } };
  } else {
    const layers = readMlpLayers(bytes, source, metadata).map((l, i) => {
      tensors.push({ name: `layers.${i}.weight`, shape: [l.outDim, l.inDim], data: l.weight }, { name: `layers.${i}.bias`, shape: [l.outDim], data: l.bias });
      return { weight: `layers.${i}.weight`, bias: `layers.${i}.bias` };
    });
    layout = { kind: 'mlp', layers };
  }
  const prov = metadata.provenance as Record<string, unknown>;
  const arch = {
    ...layout,
    activation: net.activation,
    alpha: net.alpha,
    featureConfig: metadata.featureConfig,
    output: metadata.output,
    labels: metadata.labels,
    // The training record of the model it came from, and which file that was, so that a fine-tuned model says what it started from.
    provenance: { ...(prov.training !== undefined ? { training: prov.training } : {}), exportedFrom: { file: path.basename(source), contentHash: metadata.contentHash, weightStorage: net.weightStorage } },
  };
  return { safetensors: encodeSafetensors(tensors, { format: 'pt', producer: 'earshot tools/train/weights-from-model' }), arch };
}

async function main(): Promise<void> {
  const o = new Command()
    .name('weights-from-model')
    .description('Write an earshot model\'s weights as model.safetensors + arch.json (train.py\'s export layout), for train.py --init DIR.')
    .option('--model <file>', 'the earshot .onnx model (default: the shipped default model)')
    .requiredOption('--out <dir>', 'directory to write model.safetensors and arch.json into (created if missing)')
    .option('--force', 'replace existing files', false)
    .parse()
    .opts<{ model?: string; out: string; force: boolean }>();
  const model = o.model ?? defaultModelPath();
  const files = [path.join(o.out, 'model.safetensors'), path.join(o.out, 'arch.json')];
  if (!o.force) {
    for (const f of files) {
      if (await fs.stat(f).then(() => true, () => false)) throw new ConversionError(f, 'refusing to overwrite an existing file; pass --force to replace it');
    }
  }
  const { safetensors, arch } = await weightsFromModel(await readModelFile(model), model);
  await fs.mkdir(o.out, { recursive: true });
  await writeFileAtomic(files[0]!, safetensors, { force: true });
  await writeFileAtomic(files[1]!, `${JSON.stringify(arch, null, 1)}\n`, { force: true });
  console.log(`wrote ${files.join(' and ')} (${arch.kind}, ${safetensors.length} bytes of weights)`);
}

if (isMain(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(`weights-from-model: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  });
}

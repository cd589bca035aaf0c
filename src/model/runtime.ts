/**
 * The one place that talks to ONNX Runtime. The core never imports onnxruntime-node or
 * onnxruntime-web: the platform adapter (src/node, src/web) passes its `ort` module in.
 * Sessions are created with an ordered list of execution providers; each is tried in turn
 * and the error lists every provider tried and why it failed.
 */
import type { InferenceSession, Tensor } from 'onnxruntime-common';
import { ModelError } from '../core/errors.js';

/** The subset of an onnxruntime module (node or web) earshot uses. */
export interface OrtModule {
  InferenceSession: { create(model: Uint8Array, options?: InferenceSession.SessionOptions): Promise<InferenceSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => Tensor;
}

/** Execution provider names accepted by earshot (what is available depends on the platform). */
export type ExecutionProviderName = 'cpu' | 'cuda' | 'webgpu' | 'wasm' | 'webgl';

export interface SessionOptions {
  /** Providers to try, in order. The first that creates a session is used. */
  executionProviders: readonly ExecutionProviderName[];
  /** Intra-op threads (CPU provider); undefined = runtime default. */
  threads?: number;
}

/** Why a provider could not be used, as reported to the user. */
export interface ProviderFailure {
  provider: ExecutionProviderName;
  reason: string;
}

/** A created session and which provider runs it. */
export interface AcousticSession {
  session: InferenceSession;
  provider: ExecutionProviderName;
  /** Providers tried before this one, with why each failed. */
  failures: ProviderFailure[];
  inputName: string;
  outputName: string;
}

/** Hints for providers whose failure has a known cause. */
const providerHints: Partial<Record<ExecutionProviderName, string>> = {
  cuda: 'onnxruntime-node downloads its CUDA libraries at install time; earshot installs offline (onnxruntime-node-install=skip), so the cuda provider is not available unless you install them yourself',
  webgpu: 'the webgpu provider needs a GPU adapter (Vulkan on Linux, with its loader libraries)',
};

/**
 * Create an inference session, trying each execution provider in order.
 * @example
 * const s = await createAcousticSession(ort, bytes, 'model.onnx', { executionProviders: ['webgpu', 'cpu'] });
 * console.log(s.provider);
 */
export async function createAcousticSession(
  ort: OrtModule,
  model: Uint8Array,
  source: string,
  options: SessionOptions,
): Promise<AcousticSession> {
  if (options.executionProviders.length === 0) throw new ModelError(source, 'no execution provider was given', 'pass at least one, e.g. "cpu"');
  const failures: ProviderFailure[] = [];
  for (const provider of options.executionProviders) {
    try {
      const session = await ort.InferenceSession.create(model, {
        executionProviders: [provider],
        graphOptimizationLevel: 'all',
        // int8 models (DequantizeLinear weights): without this, onnxruntime-node fuses DequantizeLinear + MatMul
        // into MatMulNBits, which quantizes the activations too (log-probabilities off by up to 0.5 on the
        // default model, and no longer equal to onnxruntime-web's) for an 8 % speed-up. Disabled, the
        // weights are dequantized once at load and the model computes exactly what its metadata says.
        extra: { session: { disable_quant_qdq: '1' } },
        ...(options.threads !== undefined ? { intraOpNumThreads: options.threads, interOpNumThreads: 1 } : {}),
      });
      const inputName = session.inputNames[0];
      const outputName = session.outputNames[0];
      if (inputName === undefined || outputName === undefined) throw new ModelError(source, 'the graph has no input or no output');
      return { session, provider, failures, inputName, outputName };
    } catch (e) {
      if (e instanceof ModelError) throw e;
      const msg = e instanceof Error ? e.message : String(e);
      const hint = providerHints[provider];
      failures.push({ provider, reason: hint ? `${msg.split('\n')[0]} — ${hint}` : msg.split('\n')[0] ?? msg });
    }
  }
  throw new ModelError(
    source,
    `no execution provider could run the model; tried ${failures.map((f) => `${f.provider} (${f.reason})`).join('; ')}`,
    'use --ep cpu (Node) or wasm (browser), which are always available',
  );
}

/**
 * Run the acoustic model on `frames` spliced frames of `dim` values (batch 1).
 * Returns log-posteriors, frames x outputDim, row-major.
 * @example
 * const logp = await runAcoustic(ort, s, feats, feats.length / dim, dim);
 */
export async function runAcoustic(
  ort: OrtModule,
  s: AcousticSession,
  features: Float32Array,
  frames: number,
  dim: number,
): Promise<Float32Array> {
  const input = new ort.Tensor('float32', features, [1, frames, dim]);
  const out = await s.session.run({ [s.inputName]: input });
  const t = out[s.outputName];
  if (!t || !(t.data instanceof Float32Array)) throw new ModelError('<session>', `output "${s.outputName}" is not a float32 tensor`);
  return t.data;
}

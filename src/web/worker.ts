/**
 * The recognition Worker: owns onnxruntime-web and the Recognizer, so the main thread never runs
 * inference. Loads the model (Cache API, keyed and checked by SHA-256), picks the execution provider
 * (webgpu when an adapter exists, then wasm with threads when crossOriginIsolated), transcribes files
 * and microphone streams fed by the capture AudioWorklet through a MessagePort.
 * @example
 * // started by createSpeechRecognizer(); not used directly:
 * const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
 */
import { Recognizer, type RecognitionStream } from '../recognizer.js';
import type { ExecutionProviderName, OrtModule } from '../model/runtime.js';
import { WavDecoder } from '../audio/wav.js';
import { concatSamples } from '../audio/samples.js';
import { parseLanguageModel } from '../lm/parse.js';
import { ModelError } from '../core/errors.js';
import type { DecoderOptions } from '../decoder/select.js';
import type { EndpointConfig } from '../decoder/endpoint.js';
import { evictModel, loadModelBytes } from './model-cache.js';
import { fetchBytes } from './fetch.js';
import { toWireError } from './errors.js';
import type { CaptureMessage, FromWorker, ToWorker, WireDecoderOptions, WorkerInit } from './protocol.js';

/** The part of onnxruntime-web's module this worker uses. */
interface OrtWeb extends OrtModule {
  env: { wasm: { wasmPaths?: string; numThreads?: number; proxy?: boolean } };
}

interface GpuNavigator {
  gpu?: { requestAdapter(): Promise<{ info?: { architecture?: string; vendor?: string } } | null> };
}

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (m: FromWorker, transfer: Transferable[] = []): void => scope.postMessage(m, transfer);
const now = (): number => performance.now();

let recognizer: Recognizer | undefined;
let ready: Promise<void> | undefined;
/** Serializes work on the recognizer: one file or stream step at a time. */
let chain: Promise<unknown> = Promise.resolve();
const enqueue = <T>(f: () => Promise<T>): Promise<T> => {
  const p = chain.then(f);
  chain = p.catch(() => undefined);
  return p;
};

async function webgpuAdapter(): Promise<string | null> {
  const gpu = (navigator as unknown as GpuNavigator).gpu;
  if (!gpu) return null;
  try {
    const a = await gpu.requestAdapter();
    return a ? (a.info?.architecture || a.info?.vendor || 'unknown') : null;
  } catch {
    return null;
  }
}

async function init(m: WorkerInit): Promise<void> {
  const t0 = now();
  const adapter = await webgpuAdapter();
  const eps: ExecutionProviderName[] = m.executionProviders ?? (adapter ? ['webgpu', 'wasm'] : ['wasm']);
  // wasm alone: the small build (plain wasm, ~14 MB); webgpu/webgl need the full one (jsep wasm, ~28 MB)
  const moduleUrl = m.ortModuleUrl ?? new URL(eps.every((e) => e === 'wasm' || e === 'cpu') ? 'ort.wasm.min.mjs' : 'ort.min.mjs', m.wasmPaths).href;
  const ort = (await import(/* @vite-ignore */ moduleUrl)) as OrtWeb;
  ort.env.wasm.wasmPaths = m.wasmPaths;
  const isolated = scope.crossOriginIsolated === true;
  const threads = isolated ? (m.numThreads ?? Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1))) : 1;
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.proxy = false;
  const [model, decoder] = await Promise.all([loadModelBytes(m.model, { cache: m.cache, ...(m.sha256 ? { sha256: m.sha256 } : {}) }), resolveDecoder(m.decoder)]);
  try {
    recognizer = await Recognizer.create({ ort, model: model.bytes, source: model.source, executionProviders: eps, batchFrames: 16, ...(decoder ? { decoder } : {}) });
  } catch (e) {
    if (typeof m.model === 'string') await evictModel(m.model).catch(() => undefined);
    throw e;
  }
  post({
    type: 'ready',
    info: {
      provider: recognizer.provider,
      providerFailures: recognizer.providerFailures,
      numThreads: threads,
      crossOriginIsolated: isolated,
      webgpuAdapter: adapter,
      loadMs: now() - t0,
      sha256: model.sha256,
      fromCache: model.fromCache,
      labels: recognizer.metadata.labels,
      sampleRate: recognizer.sampleRate,
    },
  });
}

/**
 * The decoder options with the beam decoder's LM URL fetched and parsed: an .lmbin (earshot's binary form,
 * told by its magic bytes) or ARPA text.
 */
async function resolveDecoder(d: WireDecoderOptions | undefined): Promise<DecoderOptions | undefined> {
  if (d === undefined || d.type === 'greedy') return d;
  const { lm: url, ...rest } = d;
  if (url === undefined) return rest;
  const bytes = await fetchBytes(url, 'language model');
  try {
    return { ...rest, lm: parseLanguageModel(bytes, url) };
  } catch (e) {
    if (e instanceof ModelError) throw e; // a defective .lmbin: the message names the URL and the fix
    throw new ModelError(url, `not a valid language model: ${(e as Error).message}`, 'give an .lmbin (`earshot lm compile`) or an ARPA file (`earshot lm build`)');
  }
}

function decodeWav(bytes: ArrayBuffer): { samples: Float32Array; rate: number } {
  const dec = new WavDecoder({ source: '<file>', totalBytes: bytes.byteLength });
  const chunks = [...dec.pushSync(new Uint8Array(bytes)), ...dec.endSync()];
  return { samples: concatSamples(chunks), rate: dec.sampleRate! };
}

async function transcribe(id: number, samples: Float32Array, rate: number): Promise<void> {
  const rec = await need();
  const t = now();
  const result = await rec.transcribe(samples, rate);
  post({ type: 'result', id, result, audioSec: samples.length / rate, elapsedMs: now() - t });
}

async function need(): Promise<Recognizer> {
  if (!ready) throw new Error('the worker got work before init');
  await ready;
  return recognizer!;
}

function startMic(sampleRate: number, port: MessagePort, endpoint: Partial<EndpointConfig> | undefined): void {
  let stream: RecognitionStream | undefined;
  let lastText = '';
  let lastSegment = endpoint ? 0 : undefined;
  let audioSec = 0;
  let busyMs = 0;
  const fail = (e: unknown): void => {
    post({ type: 'micError', error: toWireError(e, 'audio') });
    port.close();
  };
  port.onmessage = (ev: MessageEvent<CaptureMessage>) => {
    const msg = ev.data;
    enqueue(async () => {
      const rec = await need();
      const t = now();
      stream ??= endpoint
        ? rec.createStream({
            endpoint,
            // called inside acceptWaveform/inputFinished, so before the partial that follows it and before 'final'
            onSegment: (result) => post({ type: 'segment', result, audioSec, elapsedMs: busyMs + now() - t, provider: rec.provider }),
          })
        : rec.createStream();
      if (msg.type === 'audio') {
        audioSec += msg.samples.length / sampleRate;
        const p = await stream.acceptWaveform(msg.samples, sampleRate);
        busyMs += now() - t;
        if (p.text !== lastText || p.segment !== lastSegment) {
          lastText = p.text;
          lastSegment = p.segment;
          post({ type: 'partial', result: p });
        }
      } else {
        const result = await stream.inputFinished();
        busyMs += now() - t;
        post({ type: 'final', result, audioSec, elapsedMs: busyMs });
        port.close();
      }
    }).catch(fail);
  };
}

scope.onmessage = (ev: MessageEvent<ToWorker>) => {
  const m = ev.data;
  switch (m.type) {
    case 'init':
      ready = init(m);
      ready.catch((e: unknown) => post({ type: 'initError', error: toWireError(e, 'model') }));
      break;
    case 'transcribeWav':
      enqueue(async () => {
        const { samples, rate } = decodeWav(m.bytes);
        await transcribe(m.id, samples, rate);
      }).catch((e: unknown) => post({ type: 'resultError', id: m.id, error: toWireError(e, 'audio') }));
      break;
    case 'transcribeSamples':
      enqueue(() => transcribe(m.id, m.samples, m.sampleRate)).catch((e: unknown) => post({ type: 'resultError', id: m.id, error: toWireError(e, 'audio') }));
      break;
    case 'micStart':
      startMic(m.sampleRate, m.port, m.endpoint);
      break;
    case 'dispose':
      scope.close();
      break;
  }
};

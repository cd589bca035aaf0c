/**
 * The main-thread speech API of the browser frontend. Inference runs in a Worker (worker.ts); the
 * microphone is captured by an AudioWorklet (capture-worklet.ts) whose buffers go straight to the
 * worker through a MessagePort; this thread only routes events.
 */
import type { PartialResult, RecognitionResult, SegmentResult } from '../recognizer.js';
import { resolveEndpointConfig, type EndpointConfig, type EndpointReason } from '../decoder/endpoint.js';
import type { ExecutionProviderName } from '../model/runtime.js';
import type { BeamSearchOptions } from '../decoder/beam.js';
import type { GreedyOptions } from '../decoder/select.js';
import { CAPTURE_PROCESSOR, captureWorkletSource } from './capture-worklet.js';
import { SpeechError, fromWireError } from './errors.js';
import type { FromWorker, ReadyInfo, ToWorker, WireDecoderOptions } from './protocol.js';

export type { ReadyInfo as SpeechRecognizerInfo } from './protocol.js';

/**
 * The decoder of a {@link SpeechRecognizer}: greedy (default), or CTC beam search whose optional word
 * LM is given as the URL of an LM file: .lmbin (earshot binary) or ARPA (fetched and parsed in the worker).
 * @example
 * const decoder: SpeechDecoderOptions = { type: 'beam', beam: 16, lm: '/models/en-3gram.lmbin' };
 */
export type SpeechDecoderOptions = GreedyOptions | (Omit<BeamSearchOptions, 'lm'> & { lm?: string | URL });

/** Options of {@link createSpeechRecognizer}. */
export interface SpeechRecognizerOptions {
  /** The model: a URL (relative to the page), or the .onnx bytes. */
  model: string | URL | ArrayBuffer | Uint8Array;
  /** Providers to try in order. Default: ['webgpu', 'wasm'] when a WebGPU adapter exists, else ['wasm']. */
  executionProviders?: ExecutionProviderName[];
  /** wasm threads (used when the page is crossOriginIsolated). Default min(4, hardwareConcurrency). */
  numThreads?: number;
  /** Base URL, on this origin, of onnxruntime-web's dist files (ort*.mjs, ort-wasm-*.wasm). Default '/ort/'. */
  wasmPaths?: string | URL;
  /** The onnxruntime-web ES module, relative to wasmPaths. Default 'ort.wasm.min.mjs' when only wasm is tried, else 'ort.min.mjs' (wasm, webgpu, webgl). */
  ortModule?: string;
  /** Cache the model with the Cache API under its SHA-256 (default true). */
  cache?: boolean;
  /** Expected SHA-256 (hex) of the model file: checked before use, also for cached copies. */
  sha256?: string;
  /** A Worker running earshot's worker.js, or a factory (when your bundler needs its own syntax). */
  worker?: Worker | (() => Worker);
  /** The decoder of files and the microphone. Default greedy. */
  decoder?: SpeechDecoderOptions;
  /**
   * Endpointing of the microphone (default off): `true` for the default rules, or some rules
   * (e.g. `{ rule2MinTrailingSilence: 0.8 }`). The microphone is then cut into segments at pauses: each
   * segment emits its own 'final' event (with `segment`, `start`, `end`, `reason`) and listening goes
   * on; 'partial' events carry the current segment's text only. startMicrophone({ endpoint }) overrides it.
   */
  endpoint?: boolean | Partial<EndpointConfig>;
}

/**
 * Options of {@link SpeechRecognizer.startMicrophone}.
 * @example
 * const opts: MicrophoneOptions = { endpoint: { rule2MinTrailingSilence: 0.8 } };
 */
export interface MicrophoneOptions {
  /** The microphone to open (from enumerateDevices). Default: the browser's choice. */
  deviceId?: string;
  /** Endpointing for this session; default: the recognizer's `endpoint` option. See {@link SpeechRecognizerOptions.endpoint}. */
  endpoint?: boolean | Partial<EndpointConfig>;
}

/**
 * A final result with its speed. With endpointing, each segment's 'final' event sets `segment`,
 * `start`, `end` and `reason` (its times are seconds from the start of the microphone session; its
 * `audioSec`, `elapsedMs` and `rtf` are the session's so far, its `timings` zero), and the result stop()
 * resolves with is the whole session, its segments in `segments`.
 * @example
 * rec.on('final', (r) => r.segment !== undefined && console.log(`#${r.segment} [${r.start}-${r.end}s] ${r.text}`));
 */
export interface SpeechResult extends RecognitionResult {
  /** Seconds of audio recognized. */
  audioSec: number;
  /** Milliseconds the worker spent recognizing it. */
  elapsedMs: number;
  /** Real-time factor: processing time / audio time. */
  rtf: number;
  /** With endpointing: the 0-based index of this segment among the reported ones. */
  segment?: number;
  /** With endpointing: where the segment begins, seconds from the start of the session. */
  start?: number;
  /** With endpointing: where the segment ends, seconds from the start of the session. */
  end?: number;
  /** With endpointing: which rule ended the segment ('end-of-input' for the last one, at stop()). */
  reason?: EndpointReason;
}

/** The microphone level, about 20 times a second. */
export interface SpeechLevel {
  /** RMS of the last ~50 ms, 0..1. */
  rms: number;
  peak: number;
}

/** Events and their payloads. */
export interface SpeechRecognizerEvents {
  partial: PartialResult;
  final: SpeechResult;
  error: SpeechError;
  level: SpeechLevel;
}

interface Mic {
  media: MediaStream;
  ctx: AudioContext;
  node: AudioWorkletNode;
  source: MediaStreamAudioSourceNode;
  final: Promise<SpeechResult | null>;
  resolveFinal: (r: SpeechResult | null) => void;
  /** Endpointed: segments are the 'final' events, the whole session only resolves stop(). */
  endpointed: boolean;
  /** Set by the first stop(): later calls await the same promise. */
  stopped: Promise<SpeechResult | null> | undefined;
}

const withRtf = (r: RecognitionResult, audioSec: number, elapsedMs: number): SpeechResult => ({ ...r, audioSec, elapsedMs, rtf: audioSec > 0 ? elapsedMs / 1000 / audioSec : 0 });

/** A segment as a 'final' result. The worker does not time segments apart: timings are zero but for their sum. */
const segmentResult = (s: SegmentResult, audioSec: number, elapsedMs: number, provider: ExecutionProviderName): SpeechResult =>
  withRtf({ ...s, durationSec: s.end - s.start, timings: { resample: 0, features: 0, acoustic: 0, decoder: 0 }, provider }, audioSec, elapsedMs);

/**
 * The endpoint option as it crosses to the worker: undefined (off) or checked rules; a bad one is a
 * SpeechError ('usage') that names the field.
 */
function wireEndpoint(e: boolean | Partial<EndpointConfig> | undefined): Partial<EndpointConfig> | undefined {
  if (e === undefined || e === false) return undefined;
  if (e === true) return {};
  try {
    return resolveEndpointConfig(e);
  } catch (err) {
    throw new SpeechError('usage', (err as Error).message, { cause: err });
  }
}

function micError(e: unknown): SpeechError {
  const name = e instanceof Error ? e.name : '';
  const msg = e instanceof Error ? e.message : String(e);
  if (name === 'NotAllowedError' || name === 'SecurityError') return new SpeechError('permission-denied', `microphone permission was denied (${msg}): allow the microphone for this site in the browser's site settings, then try again`, { cause: e });
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return new SpeechError('no-device', `no microphone was found (${msg}): connect one and try again`, { cause: e });
  if (name === 'NotReadableError' || name === 'AbortError') return new SpeechError('no-device', `the microphone cannot be opened (${msg}): another application may be using it`, { cause: e });
  return new SpeechError('audio', `the microphone could not be started: ${msg}`, { cause: e });
}

/** The decoder options as they cross to the worker: the LM URL made absolute. */
function wireDecoder(d: SpeechDecoderOptions): WireDecoderOptions {
  if (d.type === 'greedy') return d.pauseSeconds === undefined ? { type: 'greedy' } : { type: 'greedy', pauseSeconds: d.pauseSeconds };
  if (d.type !== 'beam') throw new SpeechError('usage', `decoder.type must be "greedy" or "beam", got ${JSON.stringify((d as { type: unknown }).type)}`);
  const { lm, ...rest } = d;
  return lm === undefined ? rest : { ...rest, lm: new URL(String(lm), document.baseURI).href };
}

/**
 * Speech recognition in the browser: files and the microphone, on the device.
 * Construct it, attach listeners, then await `ready` (or use {@link createSpeechRecognizer}).
 * @example
 * const rec = new SpeechRecognizer({ model: '/models/earshot-en.onnx' });
 * rec.on('partial', (p) => (live.textContent = p.text));
 * rec.on('final', (r) => (out.textContent = r.text));
 * rec.on('error', (e) => alert(e.message));
 * await rec.ready;
 * button.onclick = () => (rec.listening ? rec.stop() : rec.startMicrophone());
 */
export class SpeechRecognizer {
  /** Resolves with what was loaded and which provider runs it; rejects with a SpeechError ('model'). */
  readonly ready: Promise<ReadyInfo>;
  /** Set once ready. */
  info: ReadyInfo | undefined;
  private readonly worker: Worker;
  private readonly listeners: { [K in keyof SpeechRecognizerEvents]: Set<(v: SpeechRecognizerEvents[K]) => void> } = {
    partial: new Set(),
    final: new Set(),
    error: new Set(),
    level: new Set(),
  };
  private readonly pending = new Map<number, { resolve: (r: SpeechResult) => void; reject: (e: SpeechError) => void }>();
  private nextId = 1;
  private mic: Mic | undefined;
  /** The checked `endpoint` option: undefined = off. */
  private readonly endpoint: Partial<EndpointConfig> | undefined;
  /** startMicrophone() is between its first await and its end. */
  private starting = false;
  private disposed = false;

  constructor(opts: SpeechRecognizerOptions) {
    const base = new URL(String(opts.wasmPaths ?? '/ort/'), document.baseURI).href;
    const wasmPaths = base.endsWith('/') ? base : `${base}/`;
    const decoder = opts.decoder ? wireDecoder(opts.decoder) : undefined; // validated before a worker starts
    this.endpoint = wireEndpoint(opts.endpoint);
    this.worker = typeof opts.worker === 'function' ? opts.worker() : opts.worker ?? new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'earshot' });
    let resolveReady!: (i: ReadyInfo) => void;
    let rejectReady!: (e: SpeechError) => void;
    this.ready = new Promise<ReadyInfo>((res, rej) => {
      resolveReady = res;
      rejectReady = rej;
    });
    this.ready.catch(() => undefined); // reported through 'error' too
    this.worker.onerror = (ev: ErrorEvent) => {
      const e = new SpeechError('worker', `the recognition worker failed: ${ev.message || 'it could not be loaded'} — check that worker.js and onnxruntime-web (${wasmPaths}) are served from this origin`);
      rejectReady(e);
      this.emit('error', e);
    };
    this.worker.onmessage = (ev: MessageEvent<FromWorker>) => this.onWorker(ev.data, resolveReady, rejectReady);
    const model = opts.model;
    let wire: string | ArrayBuffer;
    const transfer: Transferable[] = [];
    if (typeof model === 'string' || model instanceof URL) wire = new URL(String(model), document.baseURI).href;
    else if (model instanceof ArrayBuffer) wire = model.slice(0);
    else if (model instanceof Uint8Array) wire = model.slice().buffer;
    else throw new SpeechError('usage', 'model must be a URL string, a URL, an ArrayBuffer or a Uint8Array');
    if (typeof wire !== 'string') transfer.push(wire);
    this.post(
      {
        type: 'init',
        model: wire,
        wasmPaths,
        ...(opts.ortModule ? { ortModuleUrl: new URL(opts.ortModule, wasmPaths).href } : {}),
        cache: opts.cache ?? true,
        ...(opts.executionProviders ? { executionProviders: [...opts.executionProviders] } : {}),
        ...(opts.numThreads !== undefined ? { numThreads: opts.numThreads } : {}),
        ...(opts.sha256 ? { sha256: opts.sha256 } : {}),
        ...(decoder ? { decoder } : {}),
      },
      transfer,
    );
  }

  /**
   * Listen to an event; returns a function that removes the listener.
   * @example
   * const off = rec.on('level', ({ rms }) => (meter.value = rms));
   */
  on<K extends keyof SpeechRecognizerEvents>(type: K, listener: (v: SpeechRecognizerEvents[K]) => void): () => void {
    this.listeners[type].add(listener);
    return () => this.listeners[type].delete(listener);
  }

  /** Whether the microphone is being recognized. */
  get listening(): boolean {
    return this.mic !== undefined;
  }

  /**
   * Transcribe a File or Blob: WAV with earshot's own decoder (same samples as Node), anything else
   * with the browser's decodeAudioData.
   * @example
   * drop.ondrop = async (e) => console.log((await rec.transcribeFile(e.dataTransfer.files[0])).text);
   */
  async transcribeFile(file: Blob): Promise<SpeechResult> {
    try {
      const info = await this.ready;
      const head = new Uint8Array(await file.slice(0, 12).arrayBuffer());
      const tag = String.fromCharCode(...head);
      const bytes = await file.arrayBuffer();
      if ((tag.startsWith('RIFF') || tag.startsWith('RF64')) && tag.slice(8, 12) === 'WAVE') {
        return await this.request((id) => this.post({ type: 'transcribeWav', id, bytes }, [bytes]));
      }
      let audio: AudioBuffer;
      try {
        audio = await new OfflineAudioContext(1, 1, info.sampleRate).decodeAudioData(bytes);
      } catch (e) {
        throw new SpeechError('audio', `the browser cannot decode this file (${file.type || 'unknown type'}, ${file.size} bytes): ${(e as Error).message}; use WAV, or a format this browser plays`, { cause: e });
      }
      const mono = new Float32Array(audio.length);
      for (let c = 0; c < audio.numberOfChannels; c++) {
        const ch = audio.getChannelData(c);
        for (let i = 0; i < ch.length; i++) mono[i]! += ch[i]! / audio.numberOfChannels;
      }
      return await this.transcribe(mono, audio.sampleRate);
    } catch (e) {
      throw this.report(e, 'audio');
    }
  }

  /**
   * Transcribe mono samples in [-1, 1]. The buffer is transferred to the worker (it is detached here).
   * @example
   * const r = await rec.transcribe(samples, 16000);
   */
  async transcribe(samples: Float32Array, sampleRate: number): Promise<SpeechResult> {
    await this.ready;
    const own = samples.byteOffset === 0 && samples.byteLength === samples.buffer.byteLength ? samples : samples.slice();
    return this.request((id) => this.post({ type: 'transcribeSamples', id, samples: own, sampleRate }, [own.buffer]));
  }

  /**
   * Start recognizing the microphone: 'partial' events while you speak, 'level' events for a meter,
   * 'final' after stop(). With endpointing (`endpoint` here or in the recognizer's options), 'final'
   * comes once per segment, at each pause and at stop(), and listening goes on. Call it from a click handler (autoplay rules suspend audio otherwise).
   * Rejects (and emits 'error') with code 'permission-denied', 'no-device' or 'audio-suspended'
   * (the AudioContext stayed suspended for 1 s: call it again from a user gesture). While recording,
   * a microphone that goes away (unplugged, permission revoked: the track's 'ended' event) emits
   * 'device-lost', and a context the browser suspends emits 'audio-suspended'; both then stop as
   * stop() does, so 'final' carries the text so far and startMicrophone() can be called again.
   * @example
   * micButton.onclick = () => rec.startMicrophone();
   * dictateButton.onclick = () => rec.startMicrophone({ endpoint: { rule2MinTrailingSilence: 0.8 } }); // a 'final' per sentence
   */
  async startMicrophone(opts: MicrophoneOptions = {}): Promise<void> {
    if (this.mic || this.starting) throw this.report(new SpeechError('usage', 'the microphone is already running: call stop() first'), 'usage');
    if (this.disposed) throw this.report(new SpeechError('usage', 'the recognizer was disposed: create a new one'), 'usage');
    let endpoint: Partial<EndpointConfig> | undefined;
    try {
      endpoint = opts.endpoint === undefined ? this.endpoint : wireEndpoint(opts.endpoint);
    } catch (e) {
      throw this.report(e, 'usage');
    }
    this.starting = true;
    let media: MediaStream | undefined;
    let ctx: AudioContext | undefined;
    try {
      const info = await this.ready;
      if (!navigator.mediaDevices?.getUserMedia) throw new SpeechError('no-device', 'this page cannot use the microphone: getUserMedia needs a secure context (https or localhost)');
      try {
        media = await navigator.mediaDevices.getUserMedia({
          audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false, channelCount: 1, ...(opts.deviceId ? { deviceId: { exact: opts.deviceId } } : {}) },
        });
      } catch (e) {
        throw micError(e);
      }
      try {
        ctx = new AudioContext({ sampleRate: info.sampleRate, latencyHint: 'interactive' });
      } catch {
        ctx = new AudioContext(); // the recognizer resamples
      }
      if (ctx.state !== 'running') {
        await Promise.race([ctx.resume(), new Promise((r) => setTimeout(r, 1000))]);
        if ((ctx.state as string) !== 'running') {
          throw new SpeechError('audio-suspended', 'the browser keeps audio suspended until the page gets a click or key press (autoplay policy): start the microphone from a click or key handler');
        }
      }
      if (this.disposed) throw new SpeechError('usage', 'the recognizer was disposed while the microphone was starting');
      const url = URL.createObjectURL(new Blob([captureWorkletSource()], { type: 'text/javascript' }));
      try {
        await ctx.audioWorklet.addModule(url);
      } finally {
        URL.revokeObjectURL(url);
      }
      const node = new AudioWorkletNode(ctx, CAPTURE_PROCESSOR, { numberOfInputs: 1, numberOfOutputs: 1, channelCount: 1, channelCountMode: 'explicit' });
      const source = ctx.createMediaStreamSource(media);
      const channel = new MessageChannel();
      let resolveFinal!: (r: SpeechResult | null) => void;
      const final = new Promise<SpeechResult | null>((r) => (resolveFinal = r));
      const mic: Mic = { media, ctx, node, source, final, resolveFinal, endpointed: endpoint !== undefined, stopped: undefined };
      this.mic = mic;
      this.post({ type: 'micStart', sampleRate: ctx.sampleRate, port: channel.port1, ...(endpoint ? { endpoint } : {}) }, [channel.port1]);
      node.port.postMessage({ port: channel.port2 }, [channel.port2]);
      node.port.onmessage = (ev: MessageEvent<{ type: string; rms: number; peak: number }>) => {
        if (ev.data.type === 'level') this.emit('level', { rms: ev.data.rms, peak: ev.data.peak });
      };
      node.onprocessorerror = () => {
        this.report(new SpeechError('audio', 'the capture AudioWorklet crashed: the text so far is in the final result'), 'audio');
        void this.stop();
      };
      source.connect(node);
      node.connect(ctx.destination); // outputs silence; keeps the graph pulling
      for (const track of media.getAudioTracks()) {
        track.addEventListener('ended', () => {
          if (this.mic !== mic || mic.stopped) return;
          this.report(new SpeechError('device-lost', 'the microphone was disconnected (or its permission revoked) while recording: the text so far is in the final result; reconnect it and start again'), 'device-lost');
          void this.stop();
        });
      }
      ctx.onstatechange = () => {
        if (this.mic !== mic || mic.stopped || ctx!.state === 'running') return;
        this.report(new SpeechError('audio-suspended', `the browser ${ctx!.state === 'closed' ? 'closed' : 'suspended'} the audio while recording: start the microphone again from a click`), 'audio-suspended');
        void this.stop();
      };
    } catch (e) {
      media?.getTracks().forEach((t) => t.stop());
      void ctx?.close().catch(() => undefined);
      this.mic = undefined;
      throw this.report(e, 'audio');
    } finally {
      this.starting = false;
    }
  }

  /**
   * Stop the microphone; resolves with the final result (also emitted as 'final'; with endpointing,
   * the whole session with its `segments`, whose last one was emitted as 'final'), or null when no
   * microphone was running.
   * @example
   * const { text, words } = (await rec.stop())!;
   */
  async stop(): Promise<SpeechResult | null> {
    const mic = this.mic;
    if (!mic) return null;
    mic.stopped ??= this.finish(mic);
    return mic.stopped;
  }

  /**
   * Stop everything and end the worker: the microphone is released at once (no final result).
   * @example
   * rec.dispose();
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const mic = this.mic;
    if (mic) {
      mic.resolveFinal(null);
      mic.stopped ??= Promise.resolve(null);
      void this.release(mic);
    }
    this.post({ type: 'dispose' });
    setTimeout(() => this.worker.terminate(), 100);
    for (const p of this.pending.values()) p.reject(new SpeechError('usage', 'the recognizer was disposed'));
    this.pending.clear();
  }

  /** Flush the capture, wait (at most 5 s) for the worker's final result, then release the audio. */
  private async finish(mic: Mic): Promise<SpeechResult | null> {
    mic.node.port.postMessage({ type: 'flush' }); // the worklet sends its last samples, then 'end'
    const r = await Promise.race([mic.final, new Promise<null>((res) => setTimeout(() => res(null), 5000))]);
    await this.release(mic);
    return r;
  }

  /** Disconnect the graph, stop the tracks (the browser's recording indicator goes off) and close the context. */
  private async release(mic: Mic): Promise<void> {
    mic.source.disconnect();
    mic.node.disconnect();
    mic.media.getTracks().forEach((t) => t.stop());
    if (this.mic === mic) this.mic = undefined;
    await mic.ctx.close().catch(() => undefined);
  }

  private post(m: ToWorker, transfer: Transferable[] = []): void {
    this.worker.postMessage(m, transfer);
  }

  private request(send: (id: number) => void): Promise<SpeechResult> {
    const id = this.nextId++;
    return new Promise<SpeechResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      send(id);
    });
  }

  private emit<K extends keyof SpeechRecognizerEvents>(type: K, v: SpeechRecognizerEvents[K]): void {
    for (const l of this.listeners[type]) {
      try {
        l(v);
      } catch (e) {
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  }

  /** Emit an error event once and return it as a SpeechError, for throwing. */
  private report(e: unknown, code: SpeechError['code']): SpeechError {
    const err = e instanceof SpeechError ? e : new SpeechError(code, e instanceof Error ? e.message : String(e), { cause: e });
    if (!(err as { reported?: boolean }).reported) {
      (err as { reported?: boolean }).reported = true;
      this.emit('error', err);
    }
    return err;
  }

  private onWorker(m: FromWorker, resolveReady: (i: ReadyInfo) => void, rejectReady: (e: SpeechError) => void): void {
    switch (m.type) {
      case 'ready':
        this.info = m.info;
        resolveReady(m.info);
        break;
      case 'initError': {
        const e = fromWireError(m.error);
        rejectReady(e);
        this.report(e, 'model');
        break;
      }
      case 'result': {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        p?.resolve(withRtf(m.result, m.audioSec, m.elapsedMs));
        break;
      }
      case 'resultError': {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        p?.reject(fromWireError(m.error)); // transcribeFile reports it
        break;
      }
      case 'partial':
        this.emit('partial', m.result);
        break;
      case 'final': {
        const r = withRtf(m.result, m.audioSec, m.elapsedMs);
        if (!this.mic?.endpointed) this.emit('final', r); // endpointed: each segment was a 'final' already
        this.mic?.resolveFinal(r);
        break;
      }
      case 'segment':
        this.emit('final', segmentResult(m.result, m.audioSec, m.elapsedMs, m.provider));
        break;
      case 'micError': {
        this.report(fromWireError(m.error), 'audio');
        this.mic?.resolveFinal(null);
        void this.stop();
        break;
      }
    }
  }
}

/**
 * Load a model in a Worker and resolve when it is ready to transcribe.
 * @example
 * import { createSpeechRecognizer } from 'earshot';
 * const rec = await createSpeechRecognizer({ model: '/models/earshot-en.onnx', wasmPaths: '/ort/' });
 * console.log(rec.info!.provider); // 'webgpu' or 'wasm'
 * const { text, words, rtf } = await rec.transcribeFile(file);
 */
export async function createSpeechRecognizer(opts: SpeechRecognizerOptions): Promise<SpeechRecognizer> {
  const rec = new SpeechRecognizer(opts);
  try {
    await rec.ready;
  } catch (e) {
    rec.dispose();
    throw e;
  }
  return rec;
}

/**
 * A decode worker thread of the server's pool (piscina): loads the model once per thread and runs
 * file and stream tasks with the library's own `transcribeAudio`, so uploads and streams give what
 * `earshot transcribe` and `earshot stream` give. Failures come back as {@link DecodeFailure} values
 * (error classes do not cross threads).
 */
import { workerData } from 'piscina';
import { AudioInputError, EarshotError, UsageError, describeError } from '../core/errors.js';
import { openAudioStream } from '../audio/stream.js';
import { loadRecognizer, loadDefaultLanguageModel, transcribeAudio, type Recognizer } from '../node/index.js';
import type { DecoderOptions } from '../decoder/select.js';
import type { LanguageModel } from '../lm/types.js';
import { LabelSet } from '../decoder/trie.js';
import { isDefaultModel } from '../node/default-model.js';
import { CLI_SEGMENTATION } from './segmentation.js';
import type { DecodeFailure, DecodeFailureKind, DecodeTask, DecoderSpec, FileOutcome, FileTask, LoadOutcome, StreamInput, StreamOutcome, StreamOutput, StreamTask } from './protocol.js';

/**
 * What the pool passes to each worker thread.
 * @example
 * const data: DecodeWorkerData = { model: 'models/earshot-en.onnx', threads: 1 };
 */
export interface DecodeWorkerData {
  /** Model path; undefined: the shipped default model. */
  model: string | undefined;
  /** Intra-op threads of the acoustic model in each worker. */
  threads: number;
}

/** A limit a task went over: becomes a `too_long` or `timeout` failure. */
class LimitError extends Error {
  readonly kind: 'too_long' | 'timeout';
  constructor(kind: 'too_long' | 'timeout', message: string) {
    super(message);
    this.kind = kind;
  }
}

const data = workerData as DecodeWorkerData;
let recognizer: Promise<Recognizer> | undefined;
let defaultLm: Promise<LanguageModel> | undefined;

function getRecognizer(): Promise<Recognizer> {
  recognizer ??= loadRecognizer({ ...(data.model !== undefined ? { model: data.model } : {}), threads: data.threads });
  return recognizer;
}

/**
 * DecoderOptions for a request's decoder spec: lists checked against the model's labels; beam search with
 * the shipped model and no phrase list uses the shipped LM, as the CLI's --decoder beam does.
 */
async function decoderOptions(spec: DecoderSpec, rec: Recognizer): Promise<DecoderOptions | undefined> {
  if (spec.type === 'greedy') return undefined;
  if (rec.metadata.output.type !== 'ctc') throw new UsageError('decoder "beam" needs a CTC model; this server\'s model has frame labels');
  const labels = new LabelSet(rec.metadata.labels, rec.metadata.output.blankId);
  for (const [field, list] of [['phrases', spec.phrases], ['boost', spec.boost]] as const) list?.forEach((t, i) => labels.encode(t, `${field}[${i}]`));
  const opts: DecoderOptions = { type: 'beam', ...(spec.beam !== undefined ? { beam: spec.beam } : {}) };
  if (spec.phrases) {
    opts.phrases = spec.phrases;
    if (spec.phraseThreshold !== undefined) opts.phraseThreshold = spec.phraseThreshold;
  } else if (isDefaultModel(data.model)) {
    defaultLm ??= loadDefaultLanguageModel();
    opts.lm = await defaultLm;
  }
  if (spec.boost) opts.boost = spec.boost;
  return opts;
}

function failure(e: unknown): DecodeFailure {
  let kind: DecodeFailureKind = 'internal';
  if (e instanceof LimitError) kind = e.kind;
  else if (e instanceof AudioInputError) kind = 'audio';
  else if (e instanceof UsageError) kind = 'usage';
  if (!(e instanceof EarshotError)) process.stderr.write(`earshot serve: internal error in a decode worker: ${e instanceof Error ? e.stack : String(e)}\n`);
  return { ok: false, kind, message: describeError(e) };
}

function checkDuration(durationSec: number, maxAudioSeconds: number, source: string): void {
  if (durationSec > maxAudioSeconds) throw new LimitError('too_long', `${source}: audio is longer than this server's limit of ${maxAudioSeconds} s (--max-audio-seconds); split it or transcribe it with the CLI or a batch worker`);
}

/** Read size of the CLI's file reader: the decoders then yield bounded chunks, so memory does not grow with the upload's length. */
const PIECE_BYTES = 64 * 1024;

async function* pieces(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += PIECE_BYTES) yield bytes.subarray(i, i + PIECE_BYTES);
}

async function runFile(task: FileTask): Promise<FileOutcome> {
  const t0 = performance.now();
  try {
    const rec = await getRecognizer();
    const decoder = await decoderOptions(task.decoder, rec);
    const audio = await openAudioStream(pieces(task.bytes), { source: task.source });
    const { maxAudioSeconds, deadline } = task.limits;
    const result = await transcribeAudio(rec, audio, {
      ...(decoder ? { decoder } : {}),
      endpoint: CLI_SEGMENTATION,
      onProgress: (durationSec) => {
        checkDuration(durationSec, maxAudioSeconds, task.source);
        if (Date.now() > deadline) throw new LimitError('timeout', `${task.source}: decoding did not finish within this server's request time limit (--request-timeout); retry later or send shorter audio`);
      },
    });
    return { ok: true, result, format: audio.format, processingSec: (performance.now() - t0) / 1000 };
  } catch (e) {
    return failure(e);
  }
}

/** The stream's bytes as an async iterable fed by the port; tells the event loop what has been taken (flow control). */
function portBytes(task: StreamTask): AsyncIterable<Uint8Array> {
  const queue: Uint8Array[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  task.port.on('message', (m: StreamInput) => {
    if (m.type === 'audio') queue.push(m.bytes);
    else ended = true;
    wake?.();
  });
  const post = (m: StreamOutput): void => task.port.postMessage(m);
  return {
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const next = queue.shift();
        if (next) {
          post({ type: 'consumed', bytes: next.length });
          yield next;
        } else if (ended) {
          return;
        } else {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
      }
    },
  };
}

async function runStream(task: StreamTask): Promise<StreamOutcome> {
  const t0 = performance.now();
  const post = (m: StreamOutput): void => task.port.postMessage(m);
  try {
    const rec = await getRecognizer();
    const decoder = await decoderOptions(task.decoder, rec);
    const audio = await openAudioStream(portBytes(task), { source: task.source, ...(task.raw ? { raw: task.raw } : {}) });
    let last = '';
    // The streaming batch, as `earshot stream` uses: partial results come soon after the audio.
    const result = await transcribeAudio(rec, audio, {
      batchFrames: rec.batchFrames,
      ...(decoder ? { decoder } : {}),
      endpoint: CLI_SEGMENTATION,
      onSegment: (segment) => {
        last = '';
        post({ type: 'segment', segment });
      },
      onPartial: (partial) => {
        checkDuration(partial.durationSec, task.maxAudioSeconds, task.source);
        if (partial.text === last) return;
        last = partial.text;
        post({ type: 'partial', partial });
      },
    });
    return { ok: true, result, processingSec: (performance.now() - t0) / 1000 };
  } catch (e) {
    return failure(e);
  } finally {
    post({ type: 'end' });
    task.port.close();
  }
}

/**
 * The piscina entry: run one task.
 * @example
 * const outcome = await pool.run({ kind: 'file', bytes, source: 'a.wav', decoder: { type: 'greedy' }, limits }, { transferList: [bytes.buffer] });
 */
export default async function decode(task: DecodeTask): Promise<FileOutcome | StreamOutcome | LoadOutcome> {
  if (task.kind === 'file') return runFile(task);
  if (task.kind === 'stream') return runStream(task);
  try {
    return { ok: true, sampleRate: (await getRecognizer()).sampleRate };
  } catch (e) {
    return failure(e);
  }
}

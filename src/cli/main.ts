#!/usr/bin/env node
/**
 * The `earshot` command line: transcribe, stream, inspect, convert, quantize, eval, serve, worker, enqueue.
 * Exit codes: 0 ok, 1 usage error, 2 input error (audio or weights), 3 model error.
 */
import { Command, CommanderError } from 'commander';
import { EarshotError, ExitCode, describeError } from '../core/errors.js';
import { VERSION } from '../version.js';
import { exitQuietlyOnClosedStdout } from './closed-stdout.js';
import { keepYoungGenerationSmall } from './young-generation.js';

/**
 * An action whose module is imported when the command runs: `earshot transcribe` does not load the server's
 * HTTP stack or the queue client (startup time, and the young generation they would grow before
 * keepYoungGenerationSmall can act).
 */
function lazy(load: () => Promise<(...args: never[]) => unknown>): (...args: unknown[]) => Promise<void> {
  return async (...args) => {
    const action = (await load()) as (...a: unknown[]) => unknown;
    await action(...args);
  };
}

/** The decoder options shared by transcribe, stream and eval. */
function withDecoderOptions(cmd: Command): Command {
  return cmd
    .option('--decoder <type>', 'greedy (default, fastest) | beam (CTC prefix beam search)')
    .option('--beam <n>', 'beam width for --decoder beam (default 16)')
    .option('--lm <file>', 'word n-gram LM for --decoder beam: .lmbin or ARPA (see `earshot lm build`), or none (default: the shipped models/en-3gram.lmbin with the default model, none with --model)')
    .option('--lm-weight <x>', 'LM weight (default: the model\'s recommendation, else 0.7, with an LM)')
    .option('--word-bonus <x>', 'score per word (default: the model\'s recommendation, else 6, with an LM; 0 without)')
    .option('--lexicon <file>', 'closed word list, one word per line')
    .option('--phrases <file>', 'closed phrase list, one per line: output the best phrase or nothing')
    .option('--phrase-threshold <x>', 'with --phrases: the least confidence, 0..1, a phrase needs to be output; below it the output is empty (default 0.3)')
    .option('--boost <file>', 'hotwords/phrases to favour, one per line (open vocabulary)');
}

/** Segmentation at pauses (endpointing), shared by transcribe and stream. */
function withEndpointOptions(cmd: Command): Command {
  return cmd
    .option('--no-endpoint', 'do not cut the audio into segments at pauses (one result for the whole input)')
    .option('--trailing-silence <s>', 'end a segment after this many seconds of silence following speech (default 1.2)')
    .option('--max-utterance <s>', 'longest segment in seconds; longer speech is cut (default 20)');
}

function build(): Command {
  const program = new Command('earshot')
    .description('Offline speech recognition on your own device: no server, no network.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showHelpAfterError('(run with --help for usage)');

  program
    .command('transcribe')
    .description('transcribe audio files (WAV, FLAC, Ogg Vorbis/Opus, MP3; "-" reads stdin)')
    .argument('<files...>', 'audio files, or - for stdin')
    .option('-m, --model <file>', 'earshot .onnx model (default: the shipped default model)')
    .option('--ep <list>', 'execution providers to try in order: cpu, webgpu, cuda', 'cpu')
    .option('-t, --threads <n>', 'threads for the acoustic model')
    .option('-f, --format <fmt>', 'text | json | srt | vtt | tsv', 'text')
    .option('-o, --output-dir <dir>', 'write <name>.<format> files here instead of stdout')
    .option('--force', 'overwrite existing output files', false)
    .option('--raw <encoding>', 'stdin/file is headerless PCM: s16le | s32le | f32le | u8')
    .option('--rate <hz>', 'sample rate of --raw input')
    .option('--channels <n>', 'channels of --raw input (default 1)')
    .action(lazy(async () => (await import('./transcribe.js')).transcribeCommand));
  withDecoderOptions(program.commands.at(-1)!);
  withEndpointOptions(program.commands.at(-1)!);

  program
    .command('stream')
    .description('recognize audio as it arrives (stdin or a file), printing one "[start --> end] text" line per segment (utterance) as it ends')
    .argument('[file]', 'audio file or - for stdin', '-')
    .option('-m, --model <file>', 'earshot .onnx model (default: the shipped default model)')
    .option('--ep <list>', 'execution providers to try in order', 'cpu')
    .option('-t, --threads <n>', 'threads for the acoustic model')
    .option('--raw <encoding>', 'headerless PCM: s16le | s32le | f32le | u8')
    .option('--rate <hz>', 'sample rate of --raw input')
    .option('--channels <n>', 'channels of --raw input (default 1)')
    .option('--json', 'print one JSON object per line (partials and one final per segment)', false)
    .action(lazy(async () => (await import('./stream.js')).streamCommand));
  withDecoderOptions(program.commands.at(-1)!);
  withEndpointOptions(program.commands.at(-1)!);

  const lm = program.command('lm').description('word language models for --decoder beam');
  lm.command('build')
    .description('estimate an interpolated modified Kneser-Ney n-gram LM from text (one sentence per line) and write ARPA')
    .argument('<text>', 'training text: lower-cased; characters other than letters, digits and apostrophes separate words')
    .requiredOption('-o, --out <file>', 'output .arpa file (.lmbin with --binary)')
    .option('--order <n>', 'n-gram order, 1..6', '3')
    .option('--binary', 'write earshot\'s compact binary form (fast to load) instead of ARPA', false)
    .option('--force', 'overwrite an existing output file', false)
    .action(lazy(async () => (await import('./lm.js')).lmBuildCommand));
  lm.command('compile')
    .description('convert an ARPA LM into earshot\'s compact binary form (.lmbin: about 40 % of the size, loads in milliseconds)')
    .argument('<in>', 'ARPA file (or an .lmbin)')
    .argument('<out>', 'output .lmbin file')
    .option('--force', 'overwrite an existing output file', false)
    .action(lazy(async () => (await import('./lm.js')).lmCompileCommand));
  lm.command('decompile')
    .description('write an .lmbin back as ARPA text for other tools (lossless: `lm compile` of it gives the same .lmbin)')
    .argument('<in>', '.lmbin file (or ARPA)')
    .argument('<out>', 'output .arpa file')
    .option('--force', 'overwrite an existing output file', false)
    .action(lazy(async () => (await import('./lm.js')).lmDecompileCommand));

  program
    .command('inspect')
    .description('print a model\'s metadata, sizes and inputs/outputs')
    .argument('<model>', 'earshot .onnx model')
    .option('--json', 'print JSON', false)
    .action(lazy(async () => (await import('./inspect.js')).inspectCommand));

  program
    .command('convert')
    .description('convert trained weights (safetensors or .npz) + an architecture JSON into an earshot model')
    .requiredOption('-w, --weights <file>', '.safetensors or .npz weights (PyTorch state_dict of an MLP)')
    .requiredOption('-a, --arch <file>', 'architecture description JSON (layers, activation, featureConfig, labels)')
    .requiredOption('-o, --out <file>', 'output .onnx file')
    .option('--activation <name>', 'override the activation: lrelu | relu | tanh')
    .option('--alpha <x>', 'override the leaky-ReLU slope')
    .option('--weight-type <type>', 'store the layer weights as float32 (default) | float16 | int8 (per-output-channel)')
    .option('--lm-weight <w>', 'CTC models: the beam-search LM weight this model recommends (tuned on its dev set; with --word-bonus)')
    .option('--word-bonus <b>', 'CTC models: the per-word bonus this model recommends with an LM (with --lm-weight)')
    .option('--force', 'overwrite an existing output file', false)
    .action(lazy(async () => (await import('./convert.js')).convertCommand));

  program
    .command('quantize')
    .description('re-encode a float32 earshot model\'s weights as float16 or int8: a smaller file with the same metadata (verified before writing)')
    .argument('<in>', 'float32 earshot .onnx model')
    .argument('<out>', 'output .onnx file')
    .option('--weight-type <type>', 'float16 (half the size) | int8 (a quarter; per-output-channel symmetric) | float32')
    .option('--force', 'overwrite an existing output file', false)
    .action(lazy(async () => (await import('./quantize.js')).quantizeCommand));

  program
    .command('eval')
    .description('transcribe every entry of manifests (JSONL {audio, text} or path<TAB>text lines) and report WER/CER per subset and overall')
    .argument('<manifests...>', 'manifests (JSONL or path<TAB>text, audio relative to the manifest); each is a subset')
    .option('-m, --model <file>', 'earshot .onnx model (default: the shipped default model)')
    .option('--ep <list>', 'execution providers to try in order', 'cpu')
    .option('-t, --threads <n>', 'threads for the acoustic model')
    .option('--limit <n>', 'at most n entries per manifest')
    .option('--json <file>', 'also write the report as JSON to this file')
    .option('--hyp <file>', 'write every hypothesis as JSONL to this file')
    .option('--bootstrap <draws>', 'add 95 % intervals of WER and CER from this many resamples of the utterances (seeded; 2000 is plenty)')
    .action(lazy(async () => (await import('./eval.js')).evalCommand));
  withDecoderOptions(program.commands.at(-1)!);

  program
    .command('serve')
    .description('HTTP and WebSocket server: POST /v1/audio/transcriptions (OpenAI-compatible), GET /v1/stream (WebSocket), /healthz, /metrics')
    .option('--host <addr>', 'address to bind (default 127.0.0.1: this machine only)')
    .option('--port <n>', 'TCP port, 0 for any free one (default 8080)')
    .option('-m, --model <file>', 'earshot .onnx model (default: the shipped default model)')
    .option('-t, --threads <n>', 'decode worker threads, each with the model loaded (default: the CPU cores)')
    .option('--queue-size <n>', 'uploads that may wait beyond those decoding; more get 503 + Retry-After (default 4 per thread)')
    .option('--max-streams <n>', 'WebSocket streams open at once (default 64)')
    .option('--max-upload-mb <n>', 'largest upload in MiB (default 64)')
    .option('--max-audio-seconds <s>', 'longest audio per upload or stream (default 3600)')
    .option('--request-timeout <s>', 'longest time for one upload request, receiving and decoding (default 300)')
    .option('--idle-timeout <s>', 'close connections, and end streams, silent this long (default 30)')
    .option('--token <token>', 'require "Authorization: Bearer <token>" (or set EARSHOT_TOKEN; /healthz stays open)')
    .option('--language <code>', 'the language the model recognizes, checked against requests (default en)')
    .action(lazy(async () => (await import('./serve.js')).serveCommand));

  program
    .command('worker')
    .description('batch worker: take transcription jobs from a BullMQ queue on Redis and write each result once, atomically')
    .requiredOption('--redis <url>', 'Redis URL, e.g. redis://127.0.0.1:6379')
    .requiredOption('--root <dir>', 'audio root: jobs name files under it, and nothing outside it is read')
    .requiredOption('-o, --output-dir <dir>', 'results go here, mirroring the paths under --root')
    .option('--queue <name>', 'queue name (default earshot)')
    .option('-m, --model <file>', 'earshot .onnx model (default: the shipped default model)')
    .option('-t, --threads <n>', 'threads for the acoustic model')
    .option('--concurrency <n>', 'jobs at once in this process (default 1; run a worker per core)')
    .option('--lock-seconds <s>', 'a job whose worker is silent this long is given to another worker (default 30)')
    .option('--max-jobs <n>', 'exit after this many jobs (default: run until SIGTERM)')
    .action(lazy(async () => (await import('./batch.js')).workerCommand));

  program
    .command('enqueue')
    .description('submit transcription jobs to the workers\' queue: audio files, or manifests (JSONL or path<TAB>text), under --root')
    .argument('<inputs...>', 'audio files, or manifests (.jsonl, .tsv, .txt) listing them')
    .requiredOption('--redis <url>', 'Redis URL, e.g. redis://127.0.0.1:6379')
    .requiredOption('--root <dir>', 'audio root the workers share: every input must be under it')
    .option('--queue <name>', 'queue name (default earshot)')
    .option('-f, --format <fmt>', 'result format: text | json | srt | vtt | tsv', 'json')
    .option('--attempts <n>', 'tries per job before it is given up (default 5, with exponential backoff)')
    .option('--wait', 'wait until every job is done, print a summary, exit 2 if any failed', false)
    .option('--timeout <s>', 'with --wait: give up waiting after this many seconds (default: no limit)')
    .action(lazy(async () => (await import('./batch.js')).enqueueCommand));
  return program;
}

/** Commands that run one job and exit. */
const ONE_SHOT_COMMANDS = new Set(['transcribe', 'stream', 'eval']);

/** Run the CLI with the given argv; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = build();
  // The one-shot commands keep V8's young generation small (src/cli/young-generation.ts): 35 MB less peak RSS
  // on an hour of audio at the same speed. serve and worker keep V8's defaults for throughput under load.
  program.hook('preAction', (_program, action) => {
    if (ONE_SHOT_COMMANDS.has(action.name())) keepYoungGenerationSmall();
  });
  try {
    await program.parseAsync(argv);
    return process.exitCode === undefined ? ExitCode.ok : Number(process.exitCode);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return ExitCode.ok;
      return ExitCode.usage;
    }
    if (e instanceof EarshotError) process.stderr.write(`earshot: ${describeError(e)}\n`);
    if (e instanceof EarshotError) return e.exitCode;
    // Not one of ours: a bug. Say so, with the stack, and use EX_SOFTWARE.
    process.stderr.write(`earshot: internal error, please report it with the command line: ${e instanceof Error ? e.stack : String(e)}\n`);
    return 70;
  }
}

exitQuietlyOnClosedStdout();
const code = await main(process.argv);
process.exitCode = code;

/**
 * Keeping V8's young generation at its starting size in the one-shot commands (transcribe, stream, eval).
 *
 * V8 doubles the young generation (the two semi-spaces new objects are born in: 1 MB each at start, at most
 * 16 MB each on 64-bit Node 20) whenever the bytes that survived collections since the last growth exceed its
 * size. That count only ever rises, so any process that runs long enough ends at the maximum. In an hour of
 * transcription it gets there within minutes, although the pipeline allocates only ~2 MB of short-lived objects
 * per minute of audio (src/features and src/decoder reuse their buffers): the committed 32 MB stayed resident
 * and were a fifth of the process's peak RSS. With no growth the same hour runs as fast (see the README's
 * memory paragraph and tools/bench/rss.ts).
 *
 * `--max-semi-space-size` would cap it too, but V8 reads it only when the heap is created, so it can come only
 * from the command line or NODE_OPTIONS; the growth factor is read at each growth, so it can be set here.
 */
import v8 from 'node:v8';

/** The V8 flag set by {@link keepYoungGenerationSmall}. */
export const NO_YOUNG_GROWTH_FLAG = '--semi-space-growth-factor=1';

/**
 * True when the user sized the young generation themselves (`--max-semi-space-size`, `--min-semi-space-size`
 * or `--semi-space-growth-factor` in node's arguments or NODE_OPTIONS): their choice wins.
 * @example
 * youngGenerationSetByUser(['--max-semi-space-size=64'], undefined); // true
 */
export function youngGenerationSetByUser(execArgv: readonly string[] = process.execArgv, nodeOptions: string | undefined = process.env['NODE_OPTIONS']): boolean {
  const mentions = (s: string): boolean => /--(max|min)[-_]semi[-_]space[-_]size|--semi[-_]space[-_]growth[-_]factor/.test(s);
  return execArgv.some(mentions) || mentions(nodeOptions ?? '');
}

/**
 * Stop the young generation from growing for the rest of this process (unless the user sized it). Call it
 * before the work starts; the collections that already grew it are not undone.
 * @example
 * keepYoungGenerationSmall(); // first thing in `earshot transcribe`
 */
export function keepYoungGenerationSmall(): void {
  if (!youngGenerationSetByUser()) v8.setFlagsFromString(NO_YOUNG_GROWTH_FLAG);
}

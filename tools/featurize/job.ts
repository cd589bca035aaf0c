/**
 * One featurization job: audio file -> base frames (MFCC + deltas, un-normalized, un-spliced), computed with the
 * engine's streaming frontend so training sees exactly the numbers inference will.
 */
import type { FeatureConfig } from '../../src/features/config.js';
import { readAudioFile } from '../../src/node/audio-file.js';
import { baseFrames } from './frames.js';

export interface JobRequest {
  /** Position in the manifest (results are written in this order). */
  index: number;
  audio: string;
}

export type JobResult =
  | { index: number; ok: true; data: Float32Array; seconds: number }
  | { index: number; ok: false; error: string };

export async function featurizeFile(job: JobRequest, config: FeatureConfig): Promise<JobResult> {
  try {
    const { samples, sampleRate } = await readAudioFile(job.audio, config.sampleRate);
    if (sampleRate !== config.sampleRate) throw new Error(`read at ${sampleRate} Hz, expected ${config.sampleRate} Hz`);
    const data = baseFrames(samples, config);
    return { index: job.index, ok: true, data, seconds: samples.length / sampleRate };
  } catch (e) {
    return { index: job.index, ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

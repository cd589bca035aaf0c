/**
 * One featurization job: audio file -> base frames (MFCC + deltas, un-normalized, un-spliced), computed with the
 * engine's streaming frontend so training sees exactly the numbers inference will.
 */
import { concatSamples } from '../../src/audio/samples.js';
import { createResampler } from '../../src/audio/resample.js';
import type { FeatureConfig } from '../../src/features/config.js';
import { readAudioFile } from '../../src/node/audio-file.js';
import { baseFrames } from './frames.js';

export interface JobRequest {
  /** Position in the manifest (results are written in this order). */
  index: number;
  audio: string;
  /**
   * Hear the file as if it had been recorded at this rate: resample it down to `viaRate`, then up to the config's
   * rate with the engine's resampler, exactly what the recognizer does to a recording made at `viaRate`.
   */
  viaRate?: number;
}

export type JobResult =
  | { index: number; ok: true; data: Float32Array; seconds: number }
  | { index: number; ok: false; error: string };

export async function featurizeFile(job: JobRequest, config: FeatureConfig): Promise<JobResult> {
  try {
    const readRate = job.viaRate ?? config.sampleRate;
    const { samples: read, sampleRate } = await readAudioFile(job.audio, readRate);
    if (sampleRate !== readRate) throw new Error(`read at ${sampleRate} Hz, expected ${readRate} Hz`);
    const samples = job.viaRate ? await resampled(read, job.viaRate, config.sampleRate) : read;
    const data = baseFrames(samples, config);
    return { index: job.index, ok: true, data, seconds: samples.length / config.sampleRate };
  } catch (e) {
    return { index: job.index, ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

async function resampled(x: Float32Array, from: number, to: number): Promise<Float32Array> {
  const rs = await createResampler(from, to);
  try {
    return concatSamples([rs.process(x), rs.flush()]);
  } finally {
    rs.close();
  }
}

/**
 * Worker thread of tools/featurize: reads one audio file at a time (resampled to the config's rate) and returns
 * its base frames, computed by earshot's own frontend (the code the engine runs at inference).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { FeatureConfig } from '../../src/features/config.js';
import { featurizeFile, type JobRequest, type JobResult } from './job.js';

const config = (workerData as { config: FeatureConfig }).config;
const port = parentPort;
if (!port) throw new Error('tools/featurize/worker.js runs as a worker thread of featurize.js');

port.on('message', (job: JobRequest) => {
  void featurizeFile(job, config).then((r: JobResult) => {
    if (r.ok) port.postMessage(r, [r.data.buffer as ArrayBuffer]);
    else port.postMessage(r);
  });
});

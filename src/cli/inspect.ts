/** `earshot inspect`: what a model file is. */
import { inspectModel } from '../node/model-file.js';

export async function inspectCommand(model: string, o: { json: boolean }): Promise<void> {
  const summary = await inspectModel(model);
  process.stdout.write(o.json ? JSON.stringify(summary.json, null, 2) + '\n' : summary.text + '\n');
}

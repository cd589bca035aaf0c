/** Atomic file output: write a temp file beside the target, then rename; never a partial file. */
import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * Write `data` to `file` atomically. With `force` false, an existing file is not replaced.
 * @example
 * await writeFileAtomic('out/talk.srt', srt, { force: true });
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, opts: { force: boolean }): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    await fs.writeFile(tmp, data, { flag: 'wx' });
    if (!opts.force) {
      // link() fails if the target exists: a race-free "create only".
      await fs.link(tmp, file);
      await fs.unlink(tmp);
    } else {
      await fs.rename(tmp, file);
    }
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

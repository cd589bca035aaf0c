/**
 * Output file names for `transcribe --output-dir`: one distinct name per input, so that no output of a
 * run overwrites another output of the same run. An input's name without its extension is used
 * (`talk.wav` -> `talk.srt`); inputs that would share it keep their extension (`long.flac` ->
 * `long.flac.srt`, `long.ogg` -> `long.ogg.srt`); names still shared (the same file name in two
 * folders) get `-2`, `-3`, … in input order. Standard input is `stdin`.
 */

/**
 * The output file name (no folder) for each input, in order; all distinct.
 * @example
 * outputNames(['a/long.flac', 'b/long.ogg', 'talk.wav'], 'srt'); // ['long.flac.srt', 'long.ogg.srt', 'talk.srt']
 * outputNames(['a/x.wav', 'b/x.wav'], 'txt'); // ['x.wav.txt', 'x.wav-2.txt']
 */
export function outputNames(files: readonly string[], ext: string): string[] {
  const base = (f: string): string => (f === '-' ? 'stdin' : f.split(/[\\/]/).pop()!);
  const stem = (f: string): string => (f === '-' ? 'stdin' : base(f).replace(/(.)\.[^.]+$/, '$1'));
  // Case-insensitive: macOS and Windows file systems would put A.srt and a.srt in one file.
  const key = (s: string): string => s.toLowerCase();
  const stemCount = new Map<string, number>();
  for (const f of files) stemCount.set(key(stem(f)), (stemCount.get(key(stem(f))) ?? 0) + 1);
  const taken = new Set<string>();
  return files.map((f) => {
    const name = stemCount.get(key(stem(f)))! > 1 ? base(f) : stem(f);
    let out = `${name}.${ext}`;
    for (let n = 2; taken.has(key(out)); n++) out = `${name}-${n}.${ext}`;
    taken.add(key(out));
    return out;
  });
}

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { wavBytes } from '../../../tools/corpus/augment.js';
import { alsaRecordings, asteriskRecordings, sphinxRecordings } from '../../../tools/corpus/debian-speech.js';
import { flacDuration, importRecordings, librispeechRecordings, tsvRecordings, wavDuration } from '../../../tools/corpus/import.js';
import { tools } from '../../helpers/requirements.js';

/** A FLAC file head: "fLaC" + a last-block STREAMINFO with the given rate and sample count. */
function flacHead(rate: number, samples: number): Buffer {
  const b = Buffer.alloc(4 + 4 + 34);
  b.write('fLaC', 0, 'ascii');
  b[4] = 0x80; // last metadata block, type 0 (STREAMINFO)
  b.writeUIntBE(34, 5, 3);
  const s = 8;
  b.writeUInt16BE(4096, s);
  b.writeUInt16BE(4096, s + 2);
  // 20 bits rate, 3 bits channels-1 (0), 5 bits bps-1 (15), 36 bits samples.
  b[s + 10] = (rate >> 12) & 0xff;
  b[s + 11] = (rate >> 4) & 0xff;
  b[s + 12] = ((rate & 0x0f) << 4) | (0 << 1) | (15 >> 4);
  b[s + 13] = ((15 & 0x0f) << 4) | Math.floor(samples / 2 ** 32);
  b.writeUInt32BE(samples % 2 ** 32, s + 14);
  return b;
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'earshot-corpus-import-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('audio headers', () => {
  it('reads FLAC STREAMINFO durations', () => {
    expect(flacDuration(flacHead(16000, 16000 * 12 + 8000))).toBeCloseTo(12.5, 6);
    expect(flacDuration(flacHead(44100, 2 ** 33))).toBeCloseTo(2 ** 33 / 44100, 3);
    expect(flacDuration(Buffer.from('RIFF....'))).toBeNull();
  });

  it('reads WAV durations', () => {
    expect(wavDuration(wavBytes(new Float32Array(24000)))).toBeCloseTo(1.5, 6);
    expect(wavDuration(Buffer.from('fLaC'))).toBeNull();
  });

  // CI installs sox (.ci/run): there the test must run, so a missing sox fails instead of skipping.
  const sox = tools(['sox']);
  it.skipIf(sox.skip)('agrees with soxi on a real FLAC file', () => {
    sox.assertPresent();
    const f = path.join(tmp, 'tone.flac');
    execFileSync('sox', ['-n', '-r', '16000', '-c', '1', '-b', '16', f, 'synth', '0.77', 'sine', '440']);
    const head = execFileSync('head', ['-c', '4096', f]);
    const soxi = Number(execFileSync('soxi', ['-D', f]).toString());
    expect(flacDuration(head)).toBeCloseTo(soxi, 4);
  });
});

describe('import', () => {
  it('reads a LibriSpeech tree and normalises its text', async () => {
    const root = path.join(tmp, 'LibriSpeech', 'dev-clean');
    const chap = path.join(root, '84', '121123');
    mkdirSync(chap, { recursive: true });
    writeFileSync(path.join(chap, '84-121123.trans.txt'), '84-121123-0000 GO DO YOU HEAR\n84-121123-0001 BUT IN LESS THAN FIVE MINUTES THE STAIRCASE GROANED\n84-121123-0002 IT COST 5 $\n');
    writeFileSync(path.join(chap, '84-121123-0000.flac'), flacHead(16000, 16000 * 2));
    writeFileSync(path.join(chap, '84-121123-0001.flac'), flacHead(16000, 16000 * 5 + 1600));
    writeFileSync(path.join(chap, '84-121123-0002.flac'), flacHead(16000, 16000));
    const recs = await librispeechRecordings(path.join(tmp, 'LibriSpeech'));
    expect(recs).toHaveLength(3);
    const out = path.join(tmp, 'manifests');
    const { entries, skipped } = await importRecordings(recs, out, 'librispeech/dev-clean');
    expect(skipped.map((s) => s.id)).toEqual(['84-121123-0002']);
    expect(entries).toEqual([
      { id: '84-121123-0000', audio: '../LibriSpeech/dev-clean/84/121123/84-121123-0000.flac', text: 'go do you hear', voice: '84', engine: 'human', augmentation: {}, duration: 2, source: 'librispeech/dev-clean' },
      { id: '84-121123-0001', audio: '../LibriSpeech/dev-clean/84/121123/84-121123-0001.flac', text: 'but in less than five minutes the staircase groaned', voice: '84', engine: 'human', augmentation: {}, duration: 5.1, source: 'librispeech/dev-clean' },
    ]);
  });

  it('reads a path<TAB>text manifest with relative and absolute paths', async () => {
    const dir = path.join(tmp, 'mine');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'a.wav'), wavBytes(new Float32Array(8000)));
    writeFileSync(path.join(tmp, 'b.wav'), wavBytes(new Float32Array(16000)));
    writeFileSync(path.join(dir, 'list.tsv'), `# comment\na.wav\tMeet me at 3:30, Dr. Who!\n${path.join(tmp, 'b.wav')}\tIt's 50% off\n`);
    const recs = await tsvRecordings(path.join(dir, 'list.tsv'));
    const { entries } = await importRecordings(recs, dir, 'tsv');
    expect(entries.map((e) => [e.id, e.audio, e.text, e.duration])).toEqual([
      ['a', 'a.wav', 'meet me at three thirty doctor who', 0.5],
      ['b', '../b.wav', "it's fifty percent off", 1],
    ]);
  });

  it('says what is wrong with a line without a tab', async () => {
    writeFileSync(path.join(tmp, 'bad.tsv'), 'a.wav hello\n');
    await expect(tsvRecordings(path.join(tmp, 'bad.tsv'))).rejects.toThrow(/bad\.tsv:1: expected "path<TAB>text"/);
  });
});

describe('Debian real-speech sources', () => {
  it('reads alsa-utils channel-test names as their text, and leaves out the noise file', async () => {
    const dir = path.join(tmp, 'alsa');
    mkdirSync(dir, { recursive: true });
    for (const n of ['Front_Center.wav', 'Rear_Left.wav', 'Noise.wav']) writeFileSync(path.join(dir, n), wavBytes(new Float32Array(800)));
    expect((await alsaRecordings(dir)).map((r) => [r.id, path.basename(r.file), r.text])).toEqual([
      ['alsa-Front_Center', 'Front_Center.wav', 'front center'],
      ['alsa-Rear_Left', 'Rear_Left.wav', 'rear left'],
    ]);
  });

  it('reads a Sphinx transcription file and says which line is malformed', async () => {
    const dir = path.join(tmp, 'sphinx');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'cards.transcription'), '<s> ten of clubs  </s> (001)\n\n<s> five five </s> (004)\n');
    expect((await sphinxRecordings(path.join(dir, 'cards.transcription'), 'cards')).map((r) => [r.id, r.file, r.text])).toEqual([
      ['cards-001', path.join(dir, '001.wav'), 'ten of clubs'],
      ['cards-004', path.join(dir, '004.wav'), 'five five'],
    ]);
    writeFileSync(path.join(dir, 'bad.transcription'), '<s> ten of clubs </s> (001)\nten of clubs 002\n');
    await expect(sphinxRecordings(path.join(dir, 'bad.transcription'), 'cards')).rejects.toThrow(/bad\.transcription:2: expected "<s> text <\/s> \(file-id\)"/);
  });

  it('reads Asterisk prompts from core-sounds-en.txt.gz, skipping non-speech, spelled letters, silence and prompts without audio', async () => {
    const dir = path.join(tmp, 'asterisk');
    mkdirSync(path.join(dir, 'digits'), { recursive: true });
    mkdirSync(path.join(dir, 'letters'), { recursive: true });
    for (const n of ['auth-thankyou', 'beep', 'digits/10', 'letters/b']) writeFileSync(path.join(dir, `${n}.wav`), wavBytes(new Float32Array(800)));
    const text = '; Core Asterisk Sounds in English\n\nauth-thankyou: Thank you.\nbeep: [this is a simple beep tone]\n' +
      'digits/10: ten\nletters/b: b\nsilence/1: (1 second of silence)\nvm-nobox: No box.\n';
    writeFileSync(path.join(dir, 'core-sounds-en.txt.gz'), gzipSync(text));
    expect((await asteriskRecordings(path.join(dir, 'core-sounds-en.txt.gz'), dir)).map((r) => [r.id, path.relative(dir, r.file), r.text])).toEqual([
      ['asterisk-auth-thankyou', 'auth-thankyou.wav', 'Thank you.'],
      ['asterisk-digits-10', 'digits/10.wav', 'ten'],
    ]);
  });
});

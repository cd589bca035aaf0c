import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { copyrightLicence, packageLicence } from '../../../tools/corpus/debian-licence.js';
import { asteriskRecordings, decodeG722, DEBIAN_SOURCES } from '../../../tools/corpus/debian-speech.js';
import { filletsRecordings, filletsSpeaker, filletsTextProblem, parseFilletsDialogs, readWordList } from '../../../tools/corpus/fillets.js';
import { audioDuration, wavDuration } from '../../../tools/corpus/import.js';
import { klettresProblem, klettresRecordings, parseKlettresSounds } from '../../../tools/corpus/klettres.js';
import { installed, tools } from '../../helpers/requirements.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'earshot-small-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('licences from Debian copyright files', () => {
  const dep5 = 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nUpstream-Name: x\n\n' +
    'Files: *\nCopyright: 2001 A\nLicense: GPL-2+\n This program is free software;\n .\n more text\n\n' +
    'Files: doc/* man/*.1\nCopyright: 2002 B\nLicense: GFDL-NIV-1.2+\n\nLicense: GPL-2+\n full text\n';

  it('takes the last Files paragraph that matches, and its short name only', () => {
    expect(copyrightLicence(dep5, 'c')).toBe('GPL-2+');
    expect(copyrightLicence(dep5, 'c', 'sounds/en/dog.ogg')).toBe('GPL-2+');
    expect(copyrightLicence(dep5, 'c', 'doc/index.docbook')).toBe('GFDL-NIV-1.2+');
    expect(copyrightLicence(dep5, 'c', 'man/x.1')).toBe('GFDL-NIV-1.2+');
    expect(copyrightLicence(dep5, 'c', 'man/x.10')).toBe('GPL-2+');
  });

  it('reads a free-form GNU statement, and says when it cannot', () => {
    expect(copyrightLicence('it under the terms of the GNU General Public License as published by\nthe Free Software Foundation; version 2 dated June, 1991.', 'c')).toBe('GPL-2');
    expect(copyrightLicence('under the GNU Lesser General Public License as published by the FSF; either version 2.1 of the License, or (at your option) any later version.', 'c')).toBe('LGPL-2.1+');
    expect(() => copyrightLicence('All rights reserved.', '/usr/share/doc/x/copyright')).toThrow(/\/usr\/share\/doc\/x\/copyright: neither .* name the licence by hand/);
    expect(() => copyrightLicence('Format: x\n\nFiles: doc/*\nLicense: MIT\n', 'c', 'data/a.ogg')).toThrow(/no "Files:" paragraph .* covers "data\/a\.ogg"/);
  });
});

describe('fillets (units)', () => {
  it('parses dialogId lines with escapes', () => {
    const lua = '\ndialogId("bot-m-vidis", "font_small", "Can you see that seahorse?")\n\ndialogId("x-v-a", "font_big", "Don\\"t \\\\ go")\n';
    expect(parseFilletsDialogs(lua)).toEqual([
      { id: 'bot-m-vidis', font: 'font_small', text: 'Can you see that seahorse?' },
      { id: 'x-v-a', font: 'font_big', text: 'Don"t \\ go' },
    ]);
  });

  it('names the speaker from the file name', () => {
    expect(filletsSpeaker('bot-m-vidis', 'aztec')).toBe('fillets-small-fish');
    expect(filletsSpeaker('bot-v-totem', 'aztec')).toBe('fillets-big-fish');
    expect(filletsSpeaker('deu-p-los', 'elk')).toBe('fillets-deu-p');
    expect(filletsSpeaker('disk-x-au0', 'floppy')).toBe('fillets-floppy');
    expect(filletsSpeaker('laser', 'electromagnet')).toBe('fillets-electromagnet');
  });

  it('keeps English text only', () => {
    const words = new Set(['oh', 'can', 'you', 'see', 'that', 'seahorse', 'click']);
    expect(filletsTextProblem('Oh.', words)).toBeUndefined();
    expect(filletsTextProblem('Can you see that seahorse?', words)).toBeUndefined();
    expect(filletsTextProblem('', words)).toMatch(/sound effect/);
    expect(filletsTextProblem('CLICK', words)).toMatch(/capitals/);
    expect(filletsTextProblem('Ya los...', words)).toMatch(/not English \(ya, los/);
    expect(filletsTextProblem('1060D0A2A0', words)).toMatch(/digits/);
  });
});

describe('klettres (units)', () => {
  it('reads sounds.xml sections and keeps words of two or more letters with a vowel', () => {
    const xml = '<!-- <sound name="NO" file="x"/> -->\n<klettres><language code="en"><alphabet>\n<sound name="A" file="en/alpha/A.ogg" />\n</alphabet>\n' +
      '<syllables>\n<sound name="DOG"   file="en/syllab/dog.ogg" />\n<sound name="TH" file="en/syllab/th.ogg"/>\n</syllables></language></klettres>';
    const sounds = parseKlettresSounds(xml);
    expect(sounds).toEqual([
      { section: 'alphabet', name: 'A', file: 'en/alpha/A.ogg' },
      { section: 'syllables', name: 'DOG', file: 'en/syllab/dog.ogg' },
      { section: 'syllables', name: 'TH', file: 'en/syllab/th.ogg' },
    ]);
    expect(sounds.map(klettresProblem)).toEqual(['a spelled letter: "A"', undefined, 'a phonics sound, not a word: "TH"']);
    expect(klettresProblem({ section: 'syllables', name: 'O', file: 'o.ogg' })).toMatch(/single letter/);
  });
});

const fillets = installed({ 'fillets-ng-data': '/usr/share/games/fillets-ng/script/floppy/dialogs_en.lua', wamerican: '/usr/share/dict/american-english' });
describe.skipIf(fillets.skip)('fillets-ng-data (installed package)', () => {
  it('pairs the voice clips with dialogs_en.lua, keeps the English ones, reports the rest; GPL-2', async () => {
    fillets.assertPresent();
    const words = await readWordList('/usr/share/dict/american-english');
    const { recordings, skipped } = await filletsRecordings('/usr/share/games/fillets-ng', words);
    expect(recordings.map((r) => [r.id, r.text, r.speaker, path.basename(r.file)])).toEqual([
      ['fillets-floppy-disk-x-au0', 'Oh.', 'fillets-floppy', 'disk-x-au0.ogg'],
      ['fillets-floppy-disk-x-au1', 'Ouch.', 'fillets-floppy', 'disk-x-au1.ogg'],
      ['fillets-floppy-disk-x-au2', 'Yup.', 'fillets-floppy', 'disk-x-au2.ogg'],
    ]);
    const why = (name: string): string | undefined => skipped.find((s) => s.file.endsWith(`/${name}.ogg`))?.reason;
    expect(why('bot-x-gr0')).toMatch(/sound effect/);
    expect(why('deu-p-jawohl')).toMatch(/not English/);
    expect(why('ch-x-click1')).toMatch(/capitals/);
    expect(why('enter0')).toMatch(/no dialogId/);
    expect(await audioDuration(recordings[1]!.file)).toBeCloseTo(1.236, 2);
    expect(await packageLicence('fillets-ng-data')).toBe('GPL-2');
    expect(DEBIAN_SOURCES.find((s) => s.name === 'fillets')).toMatchObject({ role: 'training', packages: ['fillets-ng-data', 'wamerican'] });
  });
});

const klettres = installed({ 'klettres-data': '/usr/share/klettres/en/sounds.xml' });
describe.skipIf(klettres.skip)('klettres-data (installed package)', () => {
  it('imports the en and en_GB words, one speaker each, and leaves out letters and phonics sounds; GPL-2+', async () => {
    klettres.assertPresent();
    const { recordings, skipped } = await klettresRecordings('/usr/share/klettres', ['en', 'en_GB']);
    const dog = recordings.filter((r) => r.text === 'dog');
    expect(dog.map((r) => [r.id, r.speaker, path.relative('/usr/share/klettres', r.file)])).toEqual([
      ['klettres-en-dog', 'klettres-en', 'en/syllab/dog.ogg'],
      ['klettres-en_GB-dog', 'klettres-en_GB', 'en_GB/syllab/dog.ogg'],
    ]);
    expect(recordings.every((r) => /^[a-z]{2,}$/.test(r.text))).toBe(true);
    expect(recordings.map((r) => r.text)).toContain('well');
    expect(skipped.filter((s) => s.reason.startsWith('a spelled letter'))).toHaveLength(52); // A-Z in en (listed) and en_GB (on disk only)
    expect(skipped.filter((s) => /phonics/.test(s.reason)).map((s) => path.basename(s.file))).toEqual(['ch.ogg', 'th.ogg']);
    expect(await audioDuration(dog[0]!.file)).toBeGreaterThan(0.3);
    expect(await packageLicence('klettres-data')).toBe('GPL-2+');
  });
});

const g722 = installed({ 'asterisk-core-sounds-en-g722': '/usr/share/asterisk/sounds/en_US_f_Allison/auth-thankyou.g722', 'asterisk-core-sounds-en': '/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz', 'asterisk-core-sounds-en-wav': '/usr/share/asterisk/sounds/en_US_f_Allison/auth-thankyou.wav' });
const ffmpeg = tools(['ffmpeg']);
describe.skipIf(g722.skip || ffmpeg.skip)('asterisk-core-sounds-en-g722 (installed package)', () => {
  it('lists the same prompts as the 8 kHz source and decodes G.722 to a 16 kHz WAV of the same length; CC-BY-SA-3.0', async () => {
    g722.assertPresent();
    ffmpeg.assertPresent();
    const dir = '/usr/share/asterisk/sounds/en_US_f_Allison';
    const text = '/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz';
    const wide = await asteriskRecordings(text, dir, 'g722');
    const narrow = await asteriskRecordings(text, dir);
    expect(wide.map((r) => [r.id, r.text])).toEqual(narrow.map((r) => [r.id, r.text]));
    const src = path.join(dir, 'auth-thankyou.g722');
    const out = path.join(tmp, 'a16', 'auth-thankyou.wav');
    await decodeG722(src, out);
    const wav = readFileSync(out);
    expect(wav.readUInt32LE(24)).toBe(16000);
    expect(wavDuration(wav)).toBeCloseTo(await audioDuration(path.join(dir, 'auth-thankyou.wav')), 2);
    expect(await packageLicence('asterisk-core-sounds-en-g722')).toBe('CC-BY-SA-3.0');
    expect(DEBIAN_SOURCES.find((s) => s.name === 'asterisk16')).toMatchObject({ role: 'evaluation' });
    expect(DEBIAN_SOURCES.find((s) => s.name === 'klettres')).toMatchObject({ role: 'evaluation' }); // the closed-vocabulary check
  });
});

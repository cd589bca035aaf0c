/**
 * KLettres (`klettres-data`): a child's alphabet and first words, one speaker per locale, listed in
 * `<root>/<locale>/sounds.xml` (`<sound name="DOG" file="en/syllab/dog.ogg" />` inside `<alphabet>` or
 * `<syllables>`). The alphabet is spelled letters, and some "syllables" are phonics sounds ("CH", "TH"): neither
 * is a word a character model should write, so only names of two or more letters with a vowel (a, e, i, o, u,
 * y) are kept, and the rest is reported.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../src/core/errors.js';
import type { Recording } from './import.js';

/** One `<sound>` of a sounds.xml, with the section it is in. */
export interface KlettresSound {
  section: 'alphabet' | 'syllables';
  name: string;
  /** Path relative to the klettres data root. */
  file: string;
}

/**
 * The `<sound name=".." file=".." />` elements of a KLettres sounds.xml, in order, with their section.
 * @example
 * parseKlettresSounds('<syllables><sound name="DOG" file="en/syllab/dog.ogg" /></syllables>');
 */
export function parseKlettresSounds(xml: string): KlettresSound[] {
  const out: KlettresSound[] = [];
  const body = xml.replace(/<!--[\s\S]*?-->/g, '');
  for (const sec of body.matchAll(/<(alphabet|syllables)>([\s\S]*?)<\/\1>/g)) {
    for (const s of sec[2]!.matchAll(/<sound\s+([^>]*?)\/?>/g)) {
      const attr = (k: string): string | undefined => new RegExp(`${k}\\s*=\\s*"([^"]*)"`).exec(s[1]!)?.[1];
      const name = attr('name');
      const file = attr('file');
      if (name !== undefined && file !== undefined) out.push({ section: sec[1] as KlettresSound['section'], name, file });
    }
  }
  return out;
}

/**
 * Why a KLettres sound is not a word to import, or undefined when it is.
 * @example
 * klettresProblem({ section: 'syllables', name: 'TH', file: 'en/syllab/th.ogg' }); // 'a phonics sound, not a word: "TH"'
 */
export function klettresProblem(s: KlettresSound): string | undefined {
  if (s.section === 'alphabet') return `a spelled letter: "${s.name}"`;
  if (!/^[A-Za-z']+$/.test(s.name)) return `not a single word: "${s.name}"`;
  if (s.name.replace(/'/g, '').length < 2) return `a single letter: "${s.name}"`;
  if (!/[aeiouy]/i.test(s.name)) return `a phonics sound, not a word: "${s.name}"`;
  return undefined;
}

/** What the klettres importer found. */
export interface KlettresScan {
  recordings: Recording[];
  skipped: { file: string; reason: string }[];
}

/**
 * The words of the given locales (`<root>/<locale>/sounds.xml`), speaker `klettres-<locale>`.
 * @example
 * const { recordings } = await klettresRecordings('/usr/share/klettres', ['en', 'en_GB']);
 */
export async function klettresRecordings(root: string, locales: readonly string[]): Promise<KlettresScan> {
  const recordings: Recording[] = [];
  const skipped: { file: string; reason: string }[] = [];
  for (const locale of locales) {
    const xmlFile = path.join(root, locale, 'sounds.xml');
    const xml = await fs.readFile(xmlFile, 'utf8').catch((e: unknown) => {
      throw new UsageError(`${xmlFile}: cannot read (${e instanceof Error ? e.message : String(e)}); apt-get install -y klettres-data`);
    });
    const sounds = parseKlettresSounds(xml);
    if (!sounds.length) throw new UsageError(`${xmlFile}: no <sound name=".." file=".."/> elements; is it a KLettres sounds.xml?`);
    // The alphabet of some locales is on disk but not listed: count those letters as skipped too.
    const listed = new Set(sounds.map((s) => s.file));
    const alphaDir = path.join(root, locale, 'alpha');
    if (existsSync(alphaDir)) {
      for (const n of (await fs.readdir(alphaDir)).sort()) {
        const rel = `${locale}/alpha/${n}`;
        if (!listed.has(rel)) sounds.push({ section: 'alphabet', name: n.replace(/\.[^.]+$/, ''), file: rel });
      }
    }
    for (const s of sounds) {
      const file = path.join(root, s.file);
      const problem = klettresProblem(s) ?? (existsSync(file) ? undefined : 'listed in sounds.xml but not on disk');
      if (problem) {
        skipped.push({ file, reason: problem });
        continue;
      }
      recordings.push({ id: `klettres-${locale}-${s.name.toLowerCase()}`, file, text: s.name.toLowerCase(), speaker: `klettres-${locale}` });
    }
  }
  return { recordings, skipped };
}

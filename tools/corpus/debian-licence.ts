/**
 * The licence a Debian package states for its files, read from `/usr/share/doc/<package>/copyright`, so that
 * every imported recording carries its licence into the manifest (and from there into the model card). Reads
 * the machine-readable format (DEP-5: the last `Files:` paragraph whose pattern matches wins, its `License:`
 * short name) and, for the older free-form files, a GNU GPL/LGPL statement ("version 2", "or any later version").
 */
import { promises as fs } from 'node:fs';
import { UsageError } from '../../src/core/errors.js';

/** One DEP-5 paragraph: field name (lower case) -> value (continuation lines joined with newlines). */
function paragraphs(text: string): Map<string, string>[] {
  return text.split(/\n[ \t]*\n/).map((block) => {
    const fields = new Map<string, string>();
    let key: string | null = null;
    for (const line of block.split('\n')) {
      const m = /^([A-Za-z][A-Za-z0-9-]*):\s*(.*)$/.exec(line);
      if (m) {
        key = m[1]!.toLowerCase();
        fields.set(key, m[2]!.trim());
      } else if (key && /^\s/.test(line)) {
        fields.set(key, `${fields.get(key)!}\n${line.trim()}`);
      }
    }
    return fields;
  });
}

/** A DEP-5 `Files:` pattern as a regular expression: `*` any run of characters (slashes too), `?` one. */
function globRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/**
 * The licence short name that the copyright file `text` gives `file` (a path in the upstream source tree; the
 * default '' is matched by `Files: *` only). `source` names the file in errors.
 * @example
 * copyrightLicence('Format: https://...\n\nFiles: *\nLicense: GPL-2+\n', 'klettres-data/copyright'); // 'GPL-2+'
 */
export function copyrightLicence(text: string, source: string, file = ''): string {
  if (/^Format:/m.test(text.split('\n')[0] ?? '')) {
    let licence: string | undefined;
    for (const p of paragraphs(text)) {
      const files = p.get('files');
      const lic = p.get('license');
      if (!files || !lic) continue;
      if (files.split(/\s+/).some((g) => globRegExp(g).test(file))) licence = lic.split('\n')[0]!.trim();
    }
    if (!licence) throw new UsageError(`${source}: no "Files:" paragraph with a "License:" covers "${file}"; name the licence by hand`);
    return licence;
  }
  const flat = text.replace(/\s+/g, ' ');
  // Sentences end at a '.', but not the one inside a version number ("version 2.1 of the License").
  const gnu = /GNU (Lesser |Library )?General Public License(?:[^.]|\.(?=\d))*?version (\d+(?:\.\d+)?)(?:(?:[^.]|\.(?=\d))*?(any later version))?/i.exec(flat);
  if (gnu) return `${gnu[1] ? 'LGPL' : 'GPL'}-${gnu[2]}${gnu[3] ? '+' : ''}`;
  throw new UsageError(`${source}: neither a machine-readable copyright file nor a GNU licence statement; name the licence by hand`);
}

/**
 * The licence of `file` in the installed package `pkg` (its `/usr/share/doc/<pkg>/copyright`).
 * @example
 * await packageLicence('asterisk-core-sounds-en-g722'); // 'CC-BY-SA-3.0'
 */
export async function packageLicence(pkg: string, file = '', docRoot = '/usr/share/doc'): Promise<string> {
  const path = `${docRoot}/${pkg}/copyright`;
  const text = await fs.readFile(path, 'utf8').catch((e: unknown) => {
    throw new UsageError(`${path}: cannot read the licence of ${pkg} (${e instanceof Error ? e.message : String(e)}); is the package installed?`);
  });
  return copyrightLicence(text, path, file);
}

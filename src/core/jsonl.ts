/**
 * JSON Lines: one JSON object per line. The manifest readers, `earshot eval --hyp` files and the corpus tools
 * all parse them line by line with the same checks and the same error wording.
 */
import { UsageError } from './errors.js';

/**
 * One JSONL line parsed as a JSON object. `where` names the line for the error (`file:line`); `expected` says
 * what kind of file it should be, for the error (e.g. "an earshot eval --hyp file").
 * @example
 * parseJsonObjectLine('{"id":"a"}', 'm.jsonl:1'); // { id: 'a' }
 */
export function parseJsonObjectLine(line: string, where: string, expected?: string): Record<string, unknown> {
  const hint = expected ? `; expected ${expected}` : '';
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (e) {
    throw new UsageError(`${where}: not valid JSON (${(e as Error).message})${hint}`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new UsageError(`${where}: expected a JSON object, got ${line.length > 80 ? `${line.slice(0, 80)}...` : line}${hint}`);
  }
  return v as Record<string, unknown>;
}

/**
 * The non-blank lines of a JSONL text as objects, each with its 1-based line number and `file:line` label.
 * @example
 * for (const { where, record } of jsonlRecords(text, 'hyp.jsonl')) check(record, where);
 */
export function jsonlRecords(text: string, file: string, expected?: string): { line: number; where: string; record: Record<string, unknown> }[] {
  const out: { line: number; where: string; record: Record<string, unknown> }[] = [];
  text.split('\n').forEach((raw, i) => {
    if (!raw.trim()) return;
    const where = `${file}:${i + 1}`;
    out.push({ line: i + 1, where, record: parseJsonObjectLine(raw, where, expected) });
  });
  return out;
}

/**
 * The string fields of `record` that are missing or not strings, as an error naming the line, or nothing.
 * @example
 * requireStrings({ id: 'a' }, ['id', 'audio'], 'm.jsonl:3'); // throws: m.jsonl:3: expected string fields "id" and "audio" ...
 */
export function requireStrings(record: Record<string, unknown>, fields: string[], where: string, expected?: string): void {
  const bad = fields.filter((f) => typeof record[f] !== 'string');
  if (bad.length === 0) return;
  const list = fields.map((f) => `"${f}"`);
  const names = list.length > 1 ? `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}` : list[0];
  const got = bad.map((f) => `${f}: ${record[f] === undefined ? 'missing' : JSON.stringify(record[f])}`).join(', ');
  throw new UsageError(`${where}: expected string fields ${names}, got ${got}${expected ? `; expected ${expected}` : ''}`);
}

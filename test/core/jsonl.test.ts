/**
 * The shared JSONL line checks (src/core/jsonl.ts) that manifests, --hyp files and the corpus tools use.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { jsonlRecords, parseJsonObjectLine, requireStrings } from '../../src/core/jsonl.js';

describe('src/core/jsonl', () => {
  it('gives each non-blank line as an object with its 1-based line number', () => {
    expect(jsonlRecords('{"a":1}\n\n  \n{"b":"x"}\n', 'f.jsonl')).toEqual([
      { line: 1, where: 'f.jsonl:1', record: { a: 1 } },
      { line: 4, where: 'f.jsonl:4', record: { b: 'x' } },
    ]);
    expect(jsonlRecords('', 'f.jsonl')).toEqual([]);
  });

  it('refuses lines that are not JSON objects as UsageErrors naming the line and the expected file', () => {
    for (const [line, message] of [
      ['{"a":', /^f\.jsonl:7: not valid JSON \(.+\); expected a list$/],
      ['[1,2]', /^f\.jsonl:7: expected a JSON object, got \[1,2\]; expected a list$/],
      ['null', /^f\.jsonl:7: expected a JSON object, got null/],
      ['"text"', /^f\.jsonl:7: expected a JSON object, got "text"/],
    ] as const) {
      let err: unknown;
      try {
        parseJsonObjectLine(line, 'f.jsonl:7', 'a list');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(message);
    }
  });

  it('names every missing or non-string field with what it found', () => {
    expect(() => requireStrings({ id: 'a', audio: 'x.wav' }, ['id', 'audio'], 'm:1')).not.toThrow();
    expect(() => requireStrings({ id: 3 }, ['id', 'audio', 'text'], 'm:2')).toThrow('m:2: expected string fields "id", "audio" and "text", got id: 3, audio: missing, text: missing');
    expect(() => requireStrings({}, ['hyp'], 'm:3', 'a hyp file')).toThrow('m:3: expected string fields "hyp", got hyp: missing; expected a hyp file');
  });
});

import { expect } from 'vitest';

/**
 * Await `p` (or call it) and require it to fail with an error of class `cls` whose message matches every pattern.
 * @example
 * await expectError(UsageError, () => quantize(bad), /--bits/);
 */
export async function expectError<E extends Error>(cls: new (...a: never[]) => E, p: Promise<unknown> | (() => unknown), ...words: RegExp[]): Promise<void> {
  let err: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    err = e;
  }
  expect(err, `expected a ${cls.name} matching ${words.join(' ')}`).toBeInstanceOf(cls);
  for (const w of words) expect((err as Error).message).toMatch(w);
}

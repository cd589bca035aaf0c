/**
 * The browser's one way to fetch a file earshot needs (a model, a language model): network failures and HTTP
 * errors become a ModelError that names the URL, what it was for and what to check.
 */
import { ModelError } from '../core/errors.js';

/**
 * Fetch `url` and return its bytes. Throws ModelError (source = the URL) when the fetch fails or the server
 * answers with an HTTP error; `what` names the file in the message ("model", "language model").
 * @example
 * const bytes = await fetchBytes('/models/en-3gram.lmbin', 'language model');
 * // a 404 throws ModelError: /models/en-3gram.lmbin: fetching the language model failed: HTTP 404 Not Found (check the URL)
 */
export async function fetchBytes(url: string | URL, what: string): Promise<Uint8Array> {
  const source = String(url);
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new ModelError(source, `cannot fetch the ${what}: ${e instanceof Error ? e.message : String(e)}`, 'check the URL and that it is served from this origin', { cause: e });
  }
  if (!res.ok) throw new ModelError(source, `fetching the ${what} failed: HTTP ${res.status} ${res.statusText}`, 'check the URL');
  return new Uint8Array(await res.arrayBuffer());
}

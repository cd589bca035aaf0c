/** The endpointing options of `earshot transcribe` and `earshot stream`: segments at pauses, on by default. */
import { UsageError } from '../core/errors.js';
import { trailingSilenceRules, type EndpointConfig } from '../decoder/endpoint.js';
import { parseNumberOption } from './options.js';

const SECONDS = { positive: true, unit: 'seconds' };

/**
 * Endpoint options as commander gives them (`--no-endpoint` sets endpoint to false).
 * @example
 * const o: EndpointCliOptions = { endpoint: true, trailingSilence: '0.8' };
 */
export interface EndpointCliOptions {
  endpoint?: boolean;
  trailingSilence?: string;
  maxUtterance?: string;
}

/**
 * The stream's `endpoint` option from the CLI flags: false with --no-endpoint, else the rules to override.
 * @example
 * endpointFromCli({ endpoint: true, maxUtterance: '15' }) // { rule3MaxUtteranceLength: 15 }
 * endpointFromCli({ endpoint: true, trailingSilence: '3' }) // rule 2 and rule 1 at 3 s
 */
export function endpointFromCli(o: EndpointCliOptions): false | Partial<EndpointConfig> {
  const trailing = parseNumberOption('--trailing-silence', o.trailingSilence, SECONDS);
  const max = parseNumberOption('--max-utterance', o.maxUtterance, SECONDS);
  if (o.endpoint === false) {
    if (trailing !== undefined || max !== undefined) throw new UsageError('--trailing-silence and --max-utterance set the segmentation that --no-endpoint turns off: give one or the other');
    return false;
  }
  return { ...(trailing !== undefined ? trailingSilenceRules(trailing) : {}), ...(max !== undefined ? { rule3MaxUtteranceLength: max } : {}) };
}

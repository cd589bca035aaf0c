/**
 * The segmentation the service uses: exactly the CLI's default (`earshot transcribe` and `earshot stream`
 * without endpoint flags), taken from the CLI's own option code so that the two cannot drift apart.
 */
import { endpointFromCli } from '../cli/endpoint.js';
import type { EndpointConfig } from '../decoder/endpoint.js';

/**
 * Endpoint rules of `earshot transcribe` / `earshot stream` with no flags: segments at pauses, default rules.
 * @example
 * rec.createStream({ endpoint: CLI_SEGMENTATION });
 */
export const CLI_SEGMENTATION: false | Partial<EndpointConfig> = endpointFromCli({});

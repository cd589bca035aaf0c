/**
 * Language-model building benchmark: `earshot lm build`'s work (Kneser-Ney estimation, ARPA writing, and parsing the
 * ARPA text back) on 40,000 seeded 12-word sentences over 3,000 words, the input test/lm/build.test.ts checks for
 * correctness. Prints each stage's seconds, its share of the total and sentences per second, all from one run,
 * so the numbers compare stages rather than machines. (It used to be a 30-second limit inside the unit test.)
 *
 *   npx tsc -p tsconfig.json && node dist/tools/bench/lm-build.js [--sentences 40000] [--order 3]
 */
import { parseArgs } from 'node:util';
import { Rng } from '../../src/core/rng.js';
import { ArpaLanguageModel, writeArpa } from '../../src/lm/arpa.js';
import { buildKneserNey } from '../../src/lm/build.js';

const { values } = parseArgs({ options: { sentences: { type: 'string', default: '40000' }, order: { type: 'string', default: '3' } } });
const count = Number(values.sentences);
const order = Number(values.order);
if (!Number.isInteger(count) || count < 1) throw new Error(`--sentences must be a positive integer, got ${values.sentences}`);
if (!Number.isInteger(order) || order < 1 || order > 6) throw new Error(`--order must be an integer from 1 to 6, got ${values.order}`);

const rng = new Rng(7);
const words = Array.from({ length: 3000 }, (_, i) => `w${i.toString(36)}`);
const sentences = Array.from({ length: count }, () => Array.from({ length: 12 }, () => rng.pick(words)));

const seconds = (t0: number): number => (performance.now() - t0) / 1000;
let t = performance.now();
const ngrams = buildKneserNey(sentences, { order });
const build = seconds(t);
t = performance.now();
const text = writeArpa(ngrams);
const write = seconds(t);
t = performance.now();
const lm = ArpaLanguageModel.parse(text);
const parse = seconds(t);
const total = build + write + parse;

const row = (name: string, sec: number): string => `${name.padEnd(8)} ${sec.toFixed(3).padStart(8)} s  ${((100 * sec) / total).toFixed(1).padStart(5)} %`;
process.stdout.write(`${count} sentences, order ${order}: n-grams ${lm.counts.join(' / ')}, ARPA ${(text.length / 1e6).toFixed(1)} MB\n`);
process.stdout.write([row('build', build), row('write', write), row('parse', parse), row('total', total)].join('\n') + '\n');
process.stdout.write(`${Math.round(count / total)} sentences/s end to end; build / parse = ${(build / parse).toFixed(2)}\n`);

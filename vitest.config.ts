import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Test projects, by what a test file needs from the machine (`npm run test:<name>` runs one; `npm test` runs all).
 * Each file is in exactly one: `unit` is every file the others do not claim.
 * - unit: in-process only (no child process, no system package); the shipped model and onnxruntime-node included.
 * - cli: spawns the built CLI (dist/), `earshot serve`, the batch worker with redis-server, or npx.
 * - parity: compares with Python run by /usr/bin/python3: PyTorch (python3-torch), and the training text rule (python3).
 * - synthesis: corpus building with the system's speech and audio programs (espeak-ng, flite, sox, ffmpeg, fortunes)
 *   and the Debian speech data packages; the resampler against sox's.
 * - browser: drives Debian's Chromium with playwright-core.
 * Where a requirement is missing a test is skipped locally with the install command and fails under CI=true
 * (test/helpers/requirements.ts).
 */
const CLI = [
  'test/cli/**/*.test.ts',
  'test/batch/**/*.test.ts',
  'test/server/serve.test.ts',
  'test/tools/eval/compare.test.ts',
  'test/tools/train/weights-from-model.test.ts',
];
const PARITY = ['test/convert/live.test.ts', 'test/convert/tdnn.test.ts', 'test/tools/train/recipe.test.ts', 'test/tools/train/text.test.ts'];
const SYNTHESIS = [
  'test/audio/resample.test.ts', // sox's rate is its reference
  'test/tools/corpus/build.test.ts',
  'test/tools/corpus/augment-set.test.ts',
  'test/tools/corpus/codec-copy.test.ts',
  'test/tools/corpus/import.test.ts',
  'test/tools/corpus/queen.test.ts',
  'test/tools/corpus/sky.test.ts',
  'test/tools/corpus/small-sources.test.ts',
];
const BROWSER = ['test/web/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, ...CLI, ...PARITY, ...SYNTHESIS, ...BROWSER] } },
      { extends: true, test: { name: 'cli', include: CLI } },
      { extends: true, test: { name: 'parity', include: PARITY } },
      { extends: true, test: { name: 'synthesis', include: SYNTHESIS } },
      { extends: true, test: { name: 'browser', include: BROWSER } },
    ],
  },
});

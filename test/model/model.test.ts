import { describe, it, expect, beforeAll } from 'vitest';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { ModelError, UsageError } from '../../src/core/errors.js';
import { defaultFeatureConfig, inputDim } from '../../src/features/config.js';
import { readModelInfo, metadataEntrySpans } from '../../src/model/onnx-reader.js';
import { parseMetadata, checkModelAgainstGraph } from '../../src/model/validate.js';
import { computeContentHash, embedContentHash, hashedBytes, sha256Hex, verifyContentHash } from '../../src/model/hash.js';
import { describeModel } from '../../src/model/load.js';
import { buildMlpModel, canonicalJson, mlpNetworkSummary } from '../../src/model/build/onnx-writer.js';
import { buildTinyModel, randomLayers, TINY_LABELS } from '../../src/model/build/tiny.js';
import { createAcousticSession, type OrtModule } from '../../src/model/runtime.js';
import { MetadataKeys } from '../../src/model/metadata.js';
import { inspectModel, readModelFile } from '../../src/node/model-file.js';
import { withMetadata } from '../helpers/metadata.js';

const { onnx } = onnxProto;
const ortm = ort as unknown as OrtModule;
const fixture = (name: string): string => path.join(import.meta.dirname, '..', 'fixtures', 'models', name);


async function expectModelError(p: Promise<unknown> | (() => unknown), ...words: RegExp[]): Promise<ModelError> {
  let err: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ModelError);
  for (const w of words) expect((err as Error).message).toMatch(w);
  return err as ModelError;
}

let tiny: Uint8Array;
beforeAll(async () => {
  tiny = await buildTinyModel();
});

describe('tiny model fixture', () => {
  it('test/fixtures/models/tiny.onnx is buildTinyModel() (set EARSHOT_UPDATE_FIXTURES=1 to rewrite)', async () => {
    if (process.env.EARSHOT_UPDATE_FIXTURES === '1') await fs.writeFile(fixture('tiny.onnx'), tiny);
    const onDisk = new Uint8Array(await fs.readFile(fixture('tiny.onnx')));
    expect(Buffer.compare(onDisk, tiny)).toBe(0);
  });

  it('is deterministic and depends on the seed', async () => {
    expect(Buffer.compare(await buildTinyModel(), tiny)).toBe(0);
    expect(Buffer.compare(await buildTinyModel({ seed: 2 }), tiny)).not.toBe(0);
  });
});

describe('readModelInfo', () => {
  it('reads graph I/O, versions, op counts, initializers and metadata without decoding weights', () => {
    const info = readModelInfo(tiny, 'tiny.onnx');
    expect(info.irVersion).toBe(8);
    expect(info.opset).toBe(17);
    expect(info.producerName).toBe('earshot');
    expect(info.inputs).toEqual([{ name: 'features', elemType: 1, elemTypeName: 'float32', dims: ['batch', 'time', 429] }]);
    expect(info.outputs).toEqual([{ name: 'logprobs', elemType: 1, elemTypeName: 'float32', dims: ['batch', 'time', 29] }]);
    expect(info.opCounts).toEqual({ MatMul: 2, Add: 2, LeakyRelu: 1, LogSoftmax: 1 });
    expect(info.initializerCount).toBe(4);
    expect(info.initializerBytes).toBeGreaterThan((429 * 16 + 16 * 29) * 4);
    expect(Object.keys(info.metadataProps)).toEqual(Object.values(MetadataKeys));
    expect(JSON.parse(info.metadataProps[MetadataKeys.labels]!)).toEqual(TINY_LABELS);
  });

  it('agrees with a full onnx-proto decode', () => {
    const m = onnx.ModelProto.decode(tiny);
    const info = readModelInfo(tiny, 't');
    expect(m.graph!.node!.map((n) => n.opType).sort()).toEqual(Object.entries(info.opCounts).flatMap(([k, v]) => Array(v).fill(k)).sort());
    expect(Object.fromEntries(m.metadataProps.map((e) => [e.key, e.value]))).toEqual(info.metadataProps);
    const la = m.graph!.node!.find((n) => n.opType === 'LeakyRelu')!;
    expect(la.attribute![0]!.name).toBe('alpha');
    expect(la.attribute![0]!.f).toBeCloseTo(0.01, 7);
  });

  const wav = (): Uint8Array => {
    const b = Buffer.alloc(44 + 3200);
    b.write('RIFF', 0); b.writeUInt32LE(36 + 3200, 4); b.write('WAVEfmt ', 8); b.writeUInt32LE(16, 16); b.writeUInt16LE(1, 20); b.writeUInt16LE(1, 22);
    b.writeUInt32LE(16000, 24); b.writeUInt32LE(32000, 28); b.writeUInt16LE(2, 32); b.writeUInt16LE(16, 34); b.write('data', 36); b.writeUInt32LE(3200, 40);
    for (let i = 44; i < b.length; i++) b[i] = (i * 37) & 0xff;
    return new Uint8Array(b);
  };
  it.each([
    ['a WAV file', wav(), /WAV/],
    ['a text file', new TextEncoder().encode('hello world\nthis is not a model\n'), /text file/],
    ['an empty file', new Uint8Array(0), /empty/],
    ['random bytes', new Uint8Array(4096).map((_, i) => (i * 7919 + 13) & 0xff), /ONNX/],
  ])('rejects %s with "not an ONNX model" naming the file', async (_what, bytes, hint) => {
    const e = await expectModelError(() => readModelInfo(bytes, 'input.bin'), /^input\.bin: not an ONNX model/, hint);
    expect(e.source).toBe('input.bin');
  });

  it('rejects a truncated model', async () => {
    for (const n of [1, 100, tiny.length - 300, tiny.length - 1]) {
      await expectModelError(() => readModelInfo(tiny.subarray(0, n), 'cut.onnx'), /cut\.onnx: not an ONNX model/);
    }
  });
});

describe('content hash', () => {
  it('is sha256 of the model bytes with the earshot.content_hash entry cut out', async () => {
    const spans = metadataEntrySpans(tiny, 't').filter((s) => s.key === MetadataKeys.contentHash);
    expect(spans).toHaveLength(1);
    const s = spans[0]!;
    expect(s.end).toBe(tiny.length); // appended last by the writer
    const expected = 'sha256:' + createHash('sha256').update(tiny.subarray(0, s.start)).digest('hex');
    expect(await computeContentHash(tiny, 't')).toBe(expected);
    expect(s.value).toBe(expected);
    expect(await verifyContentHash(tiny, 't')).toBe(expected);
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('detects a flipped weight byte', async () => {
    const bad = tiny.slice();
    bad[2000] ^= 0x01; // inside layer0.weight's raw data
    await expectModelError(describeModel(bad, 'flipped.onnx'), /flipped\.onnx: content hash mismatch: file modified or corrupt/);
  });

  it('detects an edited metadata value and a missing hash', async () => {
    const m = onnx.ModelProto.decode(tiny);
    for (const e of m.metadataProps) if (e.key === MetadataKeys.provenance) e.value = '{"producer":"someone else"}';
    await expectModelError(describeModel(onnx.ModelProto.encode(m).finish(), 'edited.onnx'), /content hash mismatch/);
    await expectModelError(describeModel(hashedBytes(tiny, 't'), 'nohash.onnx'), /"earshot\.content_hash" is missing/);
  });

  it('reports damage to the metadata as a hash mismatch, not as bad metadata', async () => {
    const bad = tiny.slice();
    const at = Buffer.from(bad).indexOf('"hidden":[16]');
    bad[at + 1] = 'X'.charCodeAt(0); // "Xidden": the network summary loses a field
    await expectModelError(describeModel(bad, 'damaged.onnx'), /damaged\.onnx: content hash mismatch/);
  });

  it('refuses to embed a second hash', async () => {
    await expectModelError(embedContentHash(tiny, 't'), /already has/);
  });
});

describe('parseMetadata and checkModelAgainstGraph', () => {
  it('parses the tiny model', async () => {
    const { metadata } = await describeModel(tiny, 'tiny.onnx');
    expect(metadata.featureConfig).toEqual(defaultFeatureConfig());
    expect(metadata.output).toEqual({ type: 'ctc', blankId: 0 });
    expect(metadata.network).toEqual({ kind: 'mlp', inputDim: 429, hidden: [16], outputDim: 29, activation: 'lrelu', alpha: 0.01, parameters: 429 * 16 + 16 + 16 * 29 + 29, weightStorage: 'float32' });
    expect(metadata.provenance.producer).toBe('earshot buildTinyModel');
  });

  it('names a missing key', async () => {
    const b = await withMetadata(tiny, (p) => { delete p[MetadataKeys.labels]; });
    await expectModelError(describeModel(b, 'm.onnx'), /m\.onnx: invalid earshot metadata/, /metadata key "earshot\.labels" is missing/, /earshot convert/);
  });

  it('says "not an earshot model" for plain ONNX with no earshot keys', async () => {
    const m = onnx.ModelProto.decode(tiny);
    m.metadataProps = [];
    await expectModelError(describeModel(onnx.ModelProto.encode(m).finish(), 'plain.onnx'), /not an earshot model/, /earshot\.feature_config/);
  });

  it('reports labels that disagree with the network output', async () => {
    const b = await withMetadata(tiny, (p) => { p[MetadataKeys.labels] = JSON.stringify(TINY_LABELS.slice(0, 28)); });
    await expectModelError(describeModel(b, 'm.onnx'), /outputDim is 29 but "earshot\.labels" has 28 labels/);
  });

  it('rejects an unknown format version', async () => {
    const b = await withMetadata(tiny, (p) => { p[MetadataKeys.formatVersion] = '2'; });
    await expectModelError(describeModel(b, 'm.onnx'), /unsupported metadata format version/, /"2"/, /version "1"/);
  });

  it('rejects bad JSON, an invalid feature config, a bad output spec and duplicate labels, all at once', async () => {
    const b = await withMetadata(tiny, (p) => {
      p[MetadataKeys.provenance] = '{producer:';
      p[MetadataKeys.featureConfig] = JSON.stringify({ ...defaultFeatureConfig(), fftSize: 500 });
      p[MetadataKeys.output] = JSON.stringify({ type: 'ctc', blankId: 40 });
      p[MetadataKeys.labels] = JSON.stringify(['<blank>', ...TINY_LABELS.slice(1, 28), 'a']);
    });
    const e = await expectModelError(describeModel(b, 'm.onnx'), /"earshot\.provenance": not valid JSON/, /fftSize/, /blankId: 40 is out of range for 29 labels/, /repeats/);
    expect(e.exitCode).toBe(3);
  });

  it('reports a graph whose input width disagrees with the feature config', async () => {
    const fc = { ...defaultFeatureConfig(), contextLeft: 6 };
    const b = await withMetadata(tiny, (p) => {
      p[MetadataKeys.featureConfig] = JSON.stringify(fc);
      p[MetadataKeys.network] = JSON.stringify({ ...JSON.parse(p[MetadataKeys.network]!), inputDim: inputDim(fc) });
    });
    await expectModelError(describeModel(b, 'm.onnx'), /disagrees with the graph/, /last dim is 429 but inputDim\(featureConfig\) is 468/);
  });

  it('checkModelAgainstGraph rejects non-float and non-3-D I/O', async () => {
    const info = readModelInfo(tiny, 't');
    const meta = parseMetadata(info.metadataProps, 't');
    const bad = { ...info, inputs: [{ ...info.inputs[0]!, elemType: 10, elemTypeName: 'float16', dims: [429] }] };
    await expectModelError(() => checkModelAgainstGraph(bad, meta, 't'), /expected float32, got float16/, /expected 3 dims/);
  });
});

describe('buildMlpModel', () => {
  const fc = { ...defaultFeatureConfig(), numCeps: 4, deltaOrder: 0 as const, contextLeft: 0, contextRight: 0 };
  const meta = { featureConfig: fc, output: { type: 'frame' as const, silenceId: 2 }, labels: ['x', 'y', 'sil'], provenance: { producer: 'test' } };

  it('writes relu and tanh graphs that ORT runs with batch > 1, and the metadata in canonical JSON', async () => {
    for (const activation of ['relu', 'tanh'] as const) {
      const layers = randomLayers([4, 8, 3], 5);
      const bytes = await buildMlpModel({ layers, activation, alpha: 0.3, metadata: meta });
      const { info, metadata } = await describeModel(bytes, 'x');
      expect(info.opCounts[activation === 'relu' ? 'Relu' : 'Tanh']).toBe(1);
      expect(metadata.network.alpha).toBe(0);
      expect(info.metadataProps[MetadataKeys.featureConfig]).toBe(canonicalJson(fc));
      const s = await createAcousticSession(ortm, bytes, 'x', { executionProviders: ['cpu'], threads: 1 });
      const out = await s.session.run({ features: new ort.Tensor('float32', new Float32Array(2 * 5 * 4).fill(0.1), [2, 5, 4]) });
      expect(out.logprobs!.dims).toEqual([2, 5, 3]);
      const row = Array.from((out.logprobs!.data as Float32Array).slice(0, 3));
      expect(row.reduce((a, v) => a + Math.exp(v), 0)).toBeCloseTo(1, 5);
    }
  });

  it('rejects inconsistent specs with UsageError', async () => {
    const layers = randomLayers([4, 8, 3], 5);
    await expect(buildMlpModel({ layers: [layers[0]!, { ...layers[1]!, inDim: 7, weight: new Float32Array(21) }], activation: 'relu', alpha: 0, metadata: meta })).rejects.toThrow(/inDim 7 does not match the previous layer's outDim 8/);
    await expect(buildMlpModel({ layers, activation: 'relu', alpha: 0, metadata: { ...meta, network: { ...mlpNetworkSummary(layers, 'relu', 0), hidden: [9] } } })).rejects.toBeInstanceOf(UsageError);
    await expect(buildMlpModel({ layers: randomLayers([5, 3], 1), activation: 'relu', alpha: 0, metadata: meta })).rejects.toThrow(/first layer takes 5 inputs but inputDim\(featureConfig\) is 4/);
    await expect(buildMlpModel({ layers: [], activation: 'relu', alpha: 0, metadata: meta })).rejects.toThrow(/at least one layer/);
  });
});

describe('model files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'earshot-model-'));
  });

  it('readModelFile names missing files and directories', async () => {
    await expectModelError(readModelFile(path.join(dir, 'nope.onnx')), /nope\.onnx: no such model file/);
    await expectModelError(readModelFile(dir), /is a directory/, /pass the \.onnx file/);
  });

  it('inspectModel summarizes the tiny model', async () => {
    const s = await inspectModel(fixture('tiny.onnx'));
    expect(s.text).toMatch(/mlp 429 -> 16 -> 29, lrelu alpha=0.01, 7373 parameters/);
    expect(s.text).toMatch(/input        features float32 \[batch, time, 429\]/);
    expect(s.text).toMatch(/ctc, 29 labels, blank id 0/);
    expect(s.json.metadata.contentHash).toMatch(/^sha256:/);
    expect(JSON.parse(JSON.stringify(s.json)).inputs[0].dims).toEqual(['batch', 'time', 429]);
  });

  it('inspectModel rejects a WAV passed as a model', async () => {
    const f = path.join(dir, 'talk.wav');
    await fs.writeFile(f, Buffer.concat([Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt '), Buffer.alloc(40)]));
    await expectModelError(inspectModel(f), /talk\.wav: not an ONNX model/, /WAV/);
  });
});

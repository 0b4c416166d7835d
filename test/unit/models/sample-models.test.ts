import pkg from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import {
  buildSampleModel,
  cnn,
  mlp,
  referenceOutputs,
  SAMPLE_MODELS,
  type SampleModelName,
  transformerStack,
} from '../../../models/index.js';

const EXPECTED_OUTPUTS: Record<SampleModelName, Record<string, number[]>> = {
  mlp: { probabilities: [1, 10] },
  cnn: { logits: [1, 10] },
  'transformer-block': { encoded: [1, 16, 64] },
  'transformer-stack': { encoded: [1, 16, 256] },
  'two-tower': { similarity: [1, 1], joint: [1, 16] },
};

describe('sample models', () => {
  it.each(Object.entries(SAMPLE_MODELS))(
    '%s loads in onnxruntime-node and gives outputs of the expected shapes',
    async (name, build) => {
      const outputs = await referenceOutputs(build(7));
      const shapes = Object.fromEntries(
        Object.entries(outputs).map(([output, { dims }]) => [output, dims]),
      );
      expect(shapes).toEqual(EXPECTED_OUTPUTS[name as SampleModelName]);
      for (const { type, data } of Object.values(outputs)) {
        expect(type).toBe('float32');
        expect(data.every(Number.isFinite)).toBe(true);
      }
    },
  );

  it.each(Object.entries(SAMPLE_MODELS))(
    '%s gives identical bytes for the same seed and other weights for another',
    (_name, build) => {
      const [model, again, other] = [build(3), build(3), build(4)];
      // Buffer.equals: toEqual walks 200 KB byte by byte.
      expect(Buffer.from(again.bytes).equals(model.bytes)).toBe(true);
      expect(Buffer.from(other.bytes).equals(model.bytes)).toBe(false);
      for (const [name, { data }] of Object.entries(model.weights)) {
        const otherData = other.weights[name]!.data;
        const constant = data.every((v) => v === data[0]);
        expect(Buffer.from(otherData.buffer).equals(Buffer.from(data.buffer))).toBe(constant);
      }
    },
  );

  it('stores every initializer as raw little-endian float32 bytes, not as a list of floats', () => {
    const model = cnn(3);
    const { initializer } = pkg.onnx.GraphProto.create(
      pkg.onnx.ModelProto.decode(model.bytes).graph!,
    );
    expect(initializer.map((tensor) => tensor.name).sort()).toEqual(
      Object.keys(model.weights).sort(),
    );
    for (const tensor of initializer) {
      expect(tensor.floatData).toHaveLength(0);
      const { data } = model.weights[tensor.name!]!;
      expect(Buffer.from(tensor.rawData!).equals(Buffer.from(data.buffer))).toBe(true);
    }
  });

  it('builds a transformer stack of ten blocks with tens of MB of weights', () => {
    const { weights } = buildSampleModel('transformer-stack', 1);
    const bytes = Object.values(weights).reduce((sum, { data }) => sum + data.byteLength, 0);
    expect(bytes).toBeGreaterThan(30e6);
    const blocks = new Set(Object.keys(weights).map((name) => name.split('.')[0]));
    expect([...blocks].sort()).toEqual(Array.from({ length: 10 }, (_, i) => `block${i}`).sort());
  });

  it('builds a transformer stack of a longer sequence on the same weights', async () => {
    const [short, long] = [transformerStack(2), transformerStack(2, { sequence: 64 })];
    expect(long.inputs).toEqual({ x: { type: 'float32', dims: [1, 64, 256], seed: 3 } });
    expect(long.description).toContain('x [1, 64, 256]');
    expect(Object.keys(long.weights)).toEqual(Object.keys(short.weights));
    for (const [name, { data }] of Object.entries(long.weights)) {
      expect(Buffer.from(data.buffer).equals(Buffer.from(short.weights[name]!.data.buffer))).toBe(
        true,
      );
    }
    const { encoded } = await referenceOutputs(long);
    expect(encoded!.dims).toEqual([1, 64, 256]);
    expect(encoded!.data.every(Number.isFinite)).toBe(true);
  });

  it('gives the two-tower model a float image and int64 token ids, seeded apart', () => {
    expect(buildSampleModel('two-tower', 5).inputs).toEqual({
      image: { type: 'float32', dims: [1, 3, 32, 32], seed: 6 },
      text: { type: 'int64', dims: [1, 16], seed: 7 },
    });
  });

  it('seeds its inputs, so every worker materializes the same values', () => {
    expect(mlp(5).inputs).toEqual({ x: { type: 'float32', dims: [1, 64], seed: 6 } });
  });

  it('gives mlp probabilities that sum to 1', async () => {
    const { probabilities } = await referenceOutputs(mlp(11));
    const sum = probabilities!.data.reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(1, 6);
    expect(probabilities!.data.every((p) => p > 0 && p < 1)).toBe(true);
  });

  it('builds an mlp of other sizes with one probability row per batch row', async () => {
    const model = mlp(11, { batch: 3, input: 16, hidden: 32, classes: 4 });
    expect(model.inputs).toEqual({ x: { type: 'float32', dims: [3, 16], seed: 12 } });
    const { probabilities } = await referenceOutputs(model);
    expect(probabilities!.dims).toEqual([3, 4]);
    for (let row = 0; row < 3; row++) {
      const sum = probabilities!.data.slice(row * 4, row * 4 + 4).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(1, 6);
    }
  });

  it('normalizes every position of the transformer block to mean 0', async () => {
    const { encoded } = await referenceOutputs(SAMPLE_MODELS['transformer-block'](2));
    for (let position = 0; position < 16; position++) {
      const row = encoded!.data.slice(position * 64, (position + 1) * 64);
      expect(row.reduce((a, b) => a + b, 0) / 64).toBeCloseTo(0, 5);
    }
  });

  it('names the models there are when asked for one that is not', () => {
    expect(() => buildSampleModel('resnet', 1)).toThrow(
      "no sample model 'resnet'; there are: mlp, cnn, transformer-block, transformer-stack, two-tower",
    );
  });
});

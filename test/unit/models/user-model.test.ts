import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pkg from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadUserModel, mlp, referenceOutputs } from '../../../models/index.js';

const { onnx } = pkg;
const { DataType } = onnx.TensorProto;

/** A model as someone else's exporter writes it: one op on each input, dims named or fixed. */
function identityModel(
  inputs: { name: string; elemType: number; dims: (number | string)[] }[],
  opType = 'Identity',
) {
  const valueInfo = (name: string, elemType: number, dims: (number | string)[]) => ({
    name,
    type: {
      tensorType: {
        elemType,
        shape: {
          dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
        },
      },
    },
  });
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'identity',
      node: inputs.map(({ name }) => ({
        opType,
        input: [name],
        output: [`${name}_out`],
      })),
      input: inputs.map(({ name, elemType, dims }) => valueInfo(name, elemType, dims)),
      output: inputs.map(({ name, elemType, dims }) => valueInfo(`${name}_out`, elemType, dims)),
    },
  }).finish();
}

let dir: string;
const file = (name: string) => join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dtf-models-'));
  await writeFile(file('mlp.onnx'), mlp(9).bytes);
  await writeFile(file('corrupt.onnx'), 'this is not a protobuf at all');
  await writeFile(file('empty.onnx'), '');
  await writeFile(
    file('dynamic.onnx'),
    identityModel([
      { name: 'tokens', elemType: DataType.INT64, dims: ['batch', 8] },
      { name: 'mask', elemType: DataType.INT32, dims: [1, 8] },
      { name: 'features', elemType: DataType.FLOAT, dims: ['batch', 'sequence', 4] },
    ]),
  );
  await writeFile(
    file('double.onnx'),
    identityModel([{ name: 'x', elemType: DataType.DOUBLE, dims: [2] }]),
  );
  await writeFile(
    file('unknown-op.onnx'),
    identityModel([{ name: 'x', elemType: DataType.FLOAT, dims: [2] }], 'NoSuchOp'),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadUserModel', () => {
  it("derives seeded inputs from a sample model's file", async () => {
    const model = await loadUserModel(file('mlp.onnx'));
    expect(model.name).toBe('mlp');
    expect(model.inputs).toEqual({ x: { type: 'float32', dims: [1, 64], seed: 1 } });
    const { probabilities } = await referenceOutputs(model);
    expect(probabilities!.dims).toEqual([1, 10]);
  });

  it('feeds dynamic dimensions as 1 and seeds each input differently', async () => {
    const model = await loadUserModel(file('dynamic.onnx'), 100);
    expect(model.inputs).toEqual({
      tokens: { type: 'int64', dims: [1, 8], seed: 100 },
      mask: { type: 'int32', dims: [1, 8], seed: 101 },
      features: { type: 'float32', dims: [1, 1, 4], seed: 102 },
    });
    const outputs = await referenceOutputs(model);
    expect(outputs.tokens_out!.type).toBe('int64');
    expect(outputs.features_out!.dims).toEqual([1, 1, 4]);
  });

  it('names the file and the problem for a corrupt file', async () => {
    await expect(loadUserModel(file('corrupt.onnx'))).rejects.toThrow(
      `not an ONNX model: ${file('corrupt.onnx')}: the bytes are not a protobuf ModelProto`,
    );
    await expect(loadUserModel(file('empty.onnx'))).rejects.toThrow(
      `not an ONNX model: ${file('empty.onnx')}: the file is empty`,
    );
  });

  it('passes on what onnxruntime-node says about a ModelProto it cannot load', async () => {
    await expect(loadUserModel(file('unknown-op.onnx'))).rejects.toThrow(
      new RegExp(
        `^not an ONNX model: ${file('unknown-op.onnx')}: onnxruntime-node cannot load it: .*NoSuchOp`,
      ),
    );
  });

  it('says which input it cannot feed', async () => {
    await expect(loadUserModel(file('double.onnx'))).rejects.toThrow(
      `cannot feed input 'x' of ${file('double.onnx')}: its type is float64; seeded inputs are float32, int32, int64`,
    );
  });
});

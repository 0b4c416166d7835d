import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadUserModel, mlp, writeSampleModels } from '../../../models/index.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dtf-sample-models-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('writes each sample model with its inputs and reference outputs', async () => {
  const out = join(dir, 'models');
  const written = await writeSampleModels(out, 5);
  expect(written).toHaveLength(10);
  expect((await readdir(out)).sort()).toEqual([
    'cnn.json',
    'cnn.onnx',
    'mlp.json',
    'mlp.onnx',
    'transformer-block.json',
    'transformer-block.onnx',
    'transformer-stack.json',
    'transformer-stack.onnx',
    'two-tower.json',
    'two-tower.onnx',
  ]);
  expect(new Uint8Array(await readFile(join(out, 'mlp.onnx')))).toEqual(
    new Uint8Array(mlp(5).bytes),
  );
  const info = JSON.parse(await readFile(join(out, 'mlp.json'), 'utf8'));
  expect(info).toMatchObject({
    name: 'mlp',
    seed: 5,
    inputs: mlp(5).inputs,
    referenceOutputs: { probabilities: { dims: [1, 10], type: 'float32' } },
  });
  expect(info.referenceOutputs.probabilities.data).toHaveLength(10);
  const reloaded = await loadUserModel(join(out, 'transformer-block.onnx'));
  expect(reloaded.inputs.x!.dims).toEqual([1, 16, 64]);
});

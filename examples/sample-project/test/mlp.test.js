import { describe, expect, it } from 'vitest';
import { createMlp, randomTensor, seededRandom } from '../src/mlp.js';

describe('mlp', () => {
  const shape = { inputs: 16, hidden: 32, outputs: 10, seed: 42 };

  it('outputs a probability distribution per sample', () => {
    const mlp = createMlp(shape);
    const out = mlp(randomTensor(16 * 4, seededRandom(7)), 4);
    expect(out).toHaveLength(40);
    for (let i = 0; i < 4; i++) {
      const row = out.subarray(i * 10, (i + 1) * 10);
      expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
      expect(Math.min(...row)).toBeGreaterThan(0);
    }
  });

  it('is deterministic for a seed', () => {
    const x = randomTensor(16, seededRandom(1));
    expect([...createMlp(shape)(x, 1)]).toEqual([...createMlp(shape)(x, 1)]);
  });

  it('batched and one-by-one inference agree', () => {
    const mlp = createMlp(shape);
    const x = randomTensor(16 * 3, seededRandom(3));
    const batched = mlp(x, 3);
    for (let i = 0; i < 3; i++) {
      const single = mlp(x.subarray(i * 16, (i + 1) * 16), 1);
      for (const [j, expected] of single.entries())
        expect(batched[i * 10 + j]).toBeCloseTo(expected, 6);
    }
  });
});

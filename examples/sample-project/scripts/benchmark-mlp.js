// Times MLP inference and fails if a batch of 64 takes longer than the budget given in ms.
import { createMlp, randomTensor, seededRandom } from '../src/mlp.js';

const budgetMs = Number(process.argv[2] ?? 1000);
const mlp = createMlp({ inputs: 64, hidden: 256, outputs: 10, seed: 11 });
const x = randomTensor(64 * 64, seededRandom(5));
mlp(x, 64);
const runs = 20;
const started = performance.now();
for (let i = 0; i < runs; i++) mlp(x, 64);
const perBatch = (performance.now() - started) / runs;
console.log(`mlp 64x64->256->10, batch 64: ${perBatch.toFixed(2)} ms per batch`);
if (perBatch > budgetMs) {
  console.error(`slower than the budget of ${budgetMs} ms`);
  process.exit(1);
}

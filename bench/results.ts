import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Figure } from './figure.js';
import { gitCommit, type MachineInfo } from './machine.js';

export interface RunInfo {
  startedAt: Date;
  quick: boolean;
  /** Described when the run began. */
  machine: MachineInfo;
}

/** Writes `bench/results/latest.json` under `repoRoot`; returns its path. */
export function writeResults(repoRoot: string, figures: readonly Figure[], run: RunInfo): string {
  const dir = join(repoRoot, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'latest.json');
  const results = {
    figures,
    machine: run.machine,
    gitCommit: gitCommit(repoRoot),
    startedAt: run.startedAt.toISOString(),
    quick: run.quick,
  };
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}

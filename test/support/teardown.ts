import { afterAll } from 'vitest';
import { killAll } from './processes.js';
import { removeTempDirs } from './temp-dir.js';

/** After the file's tests: kill every process they spawned and remove every temp dir. */
export function cleanUpAfterAll(): void {
  afterAll(async () => {
    await killAll();
    removeTempDirs();
  });
}

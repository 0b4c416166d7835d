import { writeFileSync } from 'node:fs';

/**
 * A vitest reporter that DTF's vitest runner adds: it writes how long each test file took, from
 * its environment's setup to its last test (importing it included, which is most of a small
 * file's time), as `[{ file, durationMs }]` JSON to the file `DTF_VITEST_DURATIONS` names.
 * Loaded by vitest from its path, so it imports nothing from vitest or DTF.
 */
interface ModuleLike {
  moduleId: string;
  diagnostic(): {
    environmentSetupDuration: number;
    prepareDuration: number;
    collectDuration: number;
    setupDuration: number;
    duration: number;
  };
}

export default class FileDurationsReporter {
  onTestRunEnd(modules: readonly ModuleLike[]): void {
    const out = process.env.DTF_VITEST_DURATIONS;
    if (out === undefined) return;
    const files = modules.map((module) => {
      const d = module.diagnostic();
      const ms =
        d.environmentSetupDuration +
        d.prepareDuration +
        d.collectDuration +
        d.setupDuration +
        d.duration;
      return { file: module.moduleId, durationMs: Math.max(0, Math.round(ms)) };
    });
    writeFileSync(out, JSON.stringify(files));
  }
}

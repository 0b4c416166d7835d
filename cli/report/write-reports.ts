import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { toJUnitXml } from './junit.js';
import type { SuiteReport } from './suite-report.js';

/** Writes `<dir>/<suite>.results.json` and `<dir>/<suite>.junit.xml`; returns their paths. */
export async function writeReports(report: SuiteReport, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const base = join(dir, report.suite.replace(/[^\w.-]+/g, '_'));
  const files = [`${base}.results.json`, `${base}.junit.xml`];
  await writeFile(files[0]!, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(files[1]!, toJUnitXml(report));
  return files;
}

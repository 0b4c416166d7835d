import { describe, expect, it } from 'vitest';
import { toJUnitXml } from '../../../../cli/report/junit.js';
import type { MatrixCell } from '../../../../cli/report/matrix-cells.js';
import { formatMatrixTable } from '../../../../cli/report/matrix-table.js';
import { buildSuiteReport } from '../../../../cli/report/suite-report.js';
import { taskView } from '../../../support/fixtures.js';

const long = `max abs error 3.10e-2 > 0.001 and max rel error 4.00e-1 > 0.001; output 'y': 1000 of 1024 values are outside the tolerance (absolute 0.001, relative 0.001); first at index 3: 0.51, reference 0.48`;
const failing: MatrixCell = {
  taskId: 't1',
  model: 'cnn',
  worker: 'chromium',
  provider: 'webgpu',
  verdict: 'fail',
  reason: `${long}\nsecond line of the reason`,
  medianMs: 29.7,
  p90Ms: 31.2,
  meanMs: 30,
  maxAbsError: 0.031,
  maxRelError: 0.4,
  tolerance: { absolute: 0.001, relative: 0.001 },
};

describe('the matrix in the reports', () => {
  it("holds a failing cell's whole reason in its footnote, every line of it", () => {
    const table = formatMatrixTable([failing]);
    expect(table).toMatch(/^cnn\s+chromium\s+FAIL \[1\]$/m);
    expect(table).toContain(`[1] chromium webgpu: ${long}\n    second line of the reason`);
  });

  it('gives JUnit the figures of each cell as properties: latency, error and tolerance', () => {
    const task = taskView({
      id: 't1',
      name: 'cnn · chromium · webgpu',
      kind: 'model',
      state: 'succeeded',
    });
    const report = buildSuiteReport('m', 'g', new Date(0), 100, [task], new Map([['t1', failing]]));
    const xml = toJUnitXml(report);
    for (const [name, value] of [
      ['median_ms', '29.7'],
      ['p90_ms', '31.2'],
      ['max_abs_error', '0.031'],
      ['tolerance_abs', '0.001'],
      ['tolerance_rel', '0.001'],
    ]) {
      expect(xml).toContain(`<property name="${name}" value="${value}"/>`);
    }
    expect(xml).toMatch(/<\/properties>\n {6}<failure message="max abs error 3\.10e-2/);
  });
});

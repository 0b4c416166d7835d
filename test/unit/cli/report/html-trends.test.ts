import { describe, expect, it } from 'vitest';
import { toHtml } from '../../../../cli/report/html/html-report.js';
import { buildSuiteReport } from '../../../../cli/report/suite-report.js';
import type { ResultInput, StoredResult } from '../../../../protocol/index.js';

const cell = (medianMs: number): ResultInput => ({
  test: 'model cnn',
  kind: 'model',
  browser: 'chromium',
  backend: 'webgpu',
  status: 'passed',
  durationMs: 10,
  metrics: { medianMs },
});

/** Eleven stored runs, the cnn 60% slower from the seventh (commit c06). */
const history: StoredResult[] = Array.from({ length: 11 }, (_, i) => ({
  ...cell((i >= 6 ? 9.6 : 6) * (1 + (i % 3) / 100)),
  runId: `r${i}`,
  suite: 'models',
  at: 1_000 * i,
  commit: `c${String(i).padStart(2, '0')}`,
}));

describe('the HTML report with the results store', () => {
  const report = buildSuiteReport('models', 'r11', new Date(0), 100, []);
  const run = { id: 'r11', suite: 'models', startedAt: 11_000, meta: { commit: 'c11' } };

  it("marks the latest change in a test's latency on the chart and lists it with its commits", () => {
    const html = toHtml({ report, results: [cell(9.7)], run, history });
    expect(html).toContain('<tspan class="trend regression"> ▲ +60.');
    expect(html).toMatch(/<tspan class="trend regression"> ▲ \+6\d\.\d% at c06<\/tspan>/);
    expect(html).toMatch(
      /<tr class="regression"><td>model cnn<\/td><td>chromium · webgpu<\/td><td>medianMs<\/td><td class="trend regression">regression<\/td><td>\+6\d\.\d%<\/td><td>[\d.]+ → [\d.]+<\/td><td>9\d\.\d%<\/td><td>c05 → c06<\/td><\/tr>/,
    );
  });

  it('says when the stored runs show no change, and shows no section without a store', () => {
    const flat = history.map((r) => ({ ...r, metrics: { medianMs: 6 } }));
    expect(toHtml({ report, results: [cell(6)], run, history: flat })).toContain(
      "No change found in this suite's stored runs",
    );
    expect(toHtml({ report, results: [cell(6)], run })).not.toContain('id="trends"');
  });
});

import { describe, expect, it } from 'vitest';
import { CoordinatorMetrics } from '../../../coordinator/metrics.js';
import { commandSpec, Harness } from '../../support/fixtures.js';

describe('Prometheus metrics', () => {
  it('time dispatch and task runs, and count the queue by requirement class', async () => {
    const h = new Harness();
    const metrics = new CoordinatorMetrics(h.state, () => 0);
    h.register('w1', { slots: 1 });
    h.now = 1_000;
    const [first] = h.submit(commandSpec({ name: 'a' }), commandSpec({ name: 'b' }));
    h.submit(commandSpec({ requirements: { labels: { gpu: 'a100' } } }));
    h.now = 1_250;
    metrics.count(
      h.run({ type: 'AssignTasks', now: h.now, placements: [{ taskId: first!, workerId: 'w1' }] }),
    );
    h.now = 3_000;
    metrics.count(
      h.run({
        type: 'RecordResults',
        now: h.now,
        workerId: 'w1',
        reports: [{ ...h.lease(first!), result: { status: 'succeeded', durationMs: 1_500 } }],
      }),
    );
    const text = await metrics.registry.metrics();
    // Queued at 1,000, assigned at 1,250: in the 0.5 s bucket, not the 0.1 s one.
    expect(text).toContain('dtf_dispatch_latency_seconds_bucket{le="0.1"} 0');
    expect(text).toContain('dtf_dispatch_latency_seconds_bucket{le="0.5"} 1');
    expect(text).toContain('dtf_dispatch_latency_seconds_sum 0.25');
    expect(text).toContain('dtf_task_duration_seconds_bucket{le="1",kind="command"} 0');
    expect(text).toContain('dtf_task_duration_seconds_bucket{le="5",kind="command"} 1');
    expect(text).toContain('dtf_tasks_ended_total{state="succeeded"} 1');
    expect(text).toMatch(/^dtf_queue_depth\{kind="command",class="\{\}"\} 1$/m);
    expect(text).toMatch(
      /^dtf_queue_depth\{kind="command",class="\{\\"labels\\":\{\\"gpu\\":\\"a100\\"\}\}"\} 1$/m,
    );
  });
});

describe('the Grafana dashboard in examples/', () => {
  it('queries only metrics a coordinator serves', async () => {
    const { readFileSync } = await import('node:fs');
    const dashboard = JSON.parse(
      readFileSync(
        new URL('../../../examples/grafana/dtf-coordinator.json', import.meta.url),
        'utf8',
      ),
    ) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> };
    const served = (
      await new CoordinatorMetrics(new Harness().state, () => 0).registry.getMetricsAsJSON()
    ).map((m) => m.name);
    const suffixes = /_(bucket|sum|count)$/;
    expect(dashboard.panels.length).toBeGreaterThan(5);
    for (const panel of dashboard.panels) {
      for (const { expr } of panel.targets) {
        const names = expr.match(/\bdtf_[a-z0-9_]+/g) ?? [];
        expect(names.length, `${panel.title}: ${expr}`).toBeGreaterThan(0);
        for (const name of names)
          expect(served, `${panel.title}: ${name}`).toContain(name.replace(suffixes, ''));
      }
    }
  });
});

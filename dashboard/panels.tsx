import type { DashboardView, DashboardWorker } from '../protocol/index.js';
import { Chart } from './chart.js';
import { age, firstLine, time } from './format.js';

type View = DashboardView;

export function Summary({ view }: { view: View }) {
  const { byState, queued } = view.tasks;
  const { byStatus } = view.workers;
  const cards: Array<[string, number, string]> = [
    ['queued', queued, ''],
    ['running', byState.assigned + byState.running, ''],
    ['succeeded', byState.succeeded, 'good'],
    [
      'failed',
      byState.failed + byState.timed_out,
      byState.failed + byState.timed_out > 0 ? 'bad' : '',
    ],
    ['workers connected', byStatus.connected, byStatus.connected > 0 ? 'good' : 'bad'],
    ['workers lost', byStatus.disconnected + byStatus.dead, ''],
  ];
  return (
    <section class="cards" data-role="summary">
      {cards.map(([label, value, tone]) => (
        <div class={`card ${tone}`} key={label} data-card={label}>
          <div class="value">{value.toLocaleString()}</div>
          <div class="label">{label}</div>
        </div>
      ))}
    </section>
  );
}

export function Activity({ view }: { view: View }) {
  const minutes = view.throughput.succeeded.map((_, i) => view.throughput.since / 1000 + i * 60);
  return (
    <section class="row">
      <div class="panel">
        <h2>Tasks ended per minute, last hour</h2>
        <Chart
          x={minutes}
          series={[
            { label: 'succeeded', color: '#2a9d4b', values: view.throughput.succeeded },
            { label: 'failed', color: '#d33', values: view.throughput.failed },
          ]}
        />
      </div>
      <div class="panel">
        <h2>Queue depth</h2>
        <Chart
          // Ten minutes at the least, so that a few samples (one every 10 s) still read as time.
          x={[view.at - 600_000, ...view.queueDepth.at, view.at].map((at) => at / 1000)}
          series={[
            {
              label: 'queued',
              color: '#3b6fd4',
              values: [null, ...view.queueDepth.depth, view.tasks.queued],
            },
          ]}
        />
      </div>
    </section>
  );
}

export function Runs({ view }: { view: View }) {
  if (view.runs.length === 0) return <p class="empty">No runs yet: dtf run records each one.</p>;
  return (
    <table data-role="runs">
      <thead>
        <tr>
          <th>Run</th>
          <th>Suite</th>
          <th>Status</th>
          <th>Progress</th>
          <th>Started</th>
          <th>Commit</th>
        </tr>
      </thead>
      <tbody>
        {view.runs.map((run) => {
          const { total, ended, failed } = run.tasks;
          const done = total === 0 ? 0 : ended / total;
          return (
            <tr key={run.id} class={`run ${run.status}`}>
              <td>{run.id}</td>
              <td>{run.suite}</td>
              <td class="status">{run.status}</td>
              <td>
                <div class="progress" title={`${ended}/${total} tasks ended, ${failed} failed`}>
                  <div class="done" style={{ width: `${(done * 100).toFixed(1)}%` }} />
                  {failed > 0 && (
                    <div
                      class="failed"
                      style={{ width: `${((failed / total) * 100).toFixed(1)}%` }}
                    />
                  )}
                </div>
                <span class="count">
                  {total === 0
                    ? `${run.results.passed + run.results.failed} results`
                    : `${ended}/${total} tasks`}
                </span>
              </td>
              <td>{time(run.startedAt)}</td>
              <td>{run.commit?.slice(0, 10) ?? '-'}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** Passed, failed (or errored), or neither: skipped where the browser lacks the backend. */
function cellClass(status: string): string {
  if (status.startsWith('passed')) return 'pass';
  return status.startsWith('failed') || status.startsWith('error') ? 'fail' : 'skip';
}

export function Matrix({ view }: { view: View }) {
  const matrix = view.matrix;
  if (matrix === undefined) return <p class="empty">No cross-browser run yet.</p>;
  const places = [...new Set(matrix.cells.map((c) => `${c.browser} · ${c.backend}`))].sort();
  const tests = [...new Set(matrix.cells.map((c) => c.test))];
  const cell = (test: string, place: string) =>
    matrix.cells.find((c) => c.test === test && `${c.browser} · ${c.backend}` === place);
  return (
    <>
      <p class="caption">
        {matrix.suite}, run {matrix.runId}
      </p>
      <table data-role="matrix" class="matrix">
        <thead>
          <tr>
            <th>Test</th>
            {places.map((place) => (
              <th key={place}>{place}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {tests.map((test) => (
            <tr key={test}>
              <td>{test}</td>
              {places.map((place) => {
                const found = cell(test, place);
                if (found === undefined)
                  return (
                    <td key={place} class="none">
                      -
                    </td>
                  );
                return (
                  <td key={place} class={cellClass(found.status)} title={found.error ?? ''}>
                    {found.status}
                    {found.medianMs !== undefined && (
                      <span class="ms"> {found.medianMs.toFixed(2)} ms</span>
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function WorkerRow({ worker, now }: { worker: DashboardWorker; now: number }) {
  return (
    <tr class={`worker ${worker.status}`} data-worker={worker.id}>
      <td>
        {worker.name}
        {worker.draining && <span class="tag">draining</span>}
      </td>
      <td>{worker.kind}</td>
      <td>{worker.backends.join(', ')}</td>
      <td class="status">{worker.status}</td>
      <td>
        {worker.health.score.toFixed(2)}
        {worker.health.breaker !== 'closed' && (
          <span class="tag bad">breaker {worker.health.breaker}</span>
        )}
      </td>
      <td>
        {worker.running.length === 0
          ? `idle (${worker.slots} slot${worker.slots === 1 ? '' : 's'})`
          : worker.running.map((r) => `${r.name ?? r.taskId} (${r.kind})`).join(', ')}
      </td>
      <td>{age(now - worker.lastSeen)} ago</td>
    </tr>
  );
}

export function Workers({
  view,
  filter,
  onFilter,
  onPage,
}: {
  view: View;
  filter: string;
  onFilter: (filter: string) => void;
  onPage: (offset: number) => void;
}) {
  const { page, offset, matching } = view.workers;
  const limit = Math.max(page.length, 50);
  return (
    <>
      <div class="toolbar">
        <input
          type="search"
          placeholder="filter by name or id"
          value={filter}
          onInput={(event) => onFilter((event.target as HTMLInputElement).value)}
        />
        <span>
          {matching === 0 ? 'none' : `${offset + 1}–${offset + page.length} of ${matching}`}
        </span>
        <button
          type="button"
          disabled={offset === 0}
          onClick={() => onPage(Math.max(0, offset - limit))}
        >
          ‹ previous
        </button>
        <button
          type="button"
          disabled={offset + page.length >= matching}
          onClick={() => onPage(offset + limit)}
        >
          next ›
        </button>
      </div>
      <table data-role="workers">
        <thead>
          <tr>
            <th>Worker</th>
            <th>Kind</th>
            <th>Backends</th>
            <th>Status</th>
            <th>Health</th>
            <th>Running</th>
            <th>Seen</th>
          </tr>
        </thead>
        <tbody>
          {page.map((worker) => (
            <WorkerRow key={worker.id} worker={worker} now={view.at} />
          ))}
        </tbody>
      </table>
    </>
  );
}

export function Failures({ view }: { view: View }) {
  if (view.failures.length === 0) return <p class="empty">No task failed in the last hour.</p>;
  return (
    <ul class="failures" data-role="failures">
      {view.failures.map((failure) => (
        <li key={`${failure.taskId}@${failure.at}`}>
          <details>
            <summary>
              <span class="when">{time(failure.at)}</span>{' '}
              <strong>{failure.name ?? failure.taskId}</strong> ({failure.kind}, {failure.state}):{' '}
              {firstLine(failure.error)}
            </summary>
            <pre>{failure.error}</pre>
          </details>
        </li>
      ))}
    </ul>
  );
}

export function Cluster({ view }: { view: View }) {
  const { coordinator } = view;
  if (coordinator.members === undefined) return null;
  return (
    <section class="panel">
      <h2>Cluster (term {coordinator.term})</h2>
      <table data-role="members">
        <thead>
          <tr>
            <th>Member</th>
            <th>URL</th>
            <th>Role</th>
            <th>Lag (entries)</th>
          </tr>
        </thead>
        <tbody>
          {coordinator.members.map((member) => (
            <tr key={member.id}>
              <td>{member.id}</td>
              <td>{member.url ?? '-'}</td>
              <td>{member.role}</td>
              <td>{member.lag ?? '-'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

import '../../ui/base.css';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { capabilityLines, shortDuration, statusWord } from './status-lines.js';
import type {
  FinishedTask,
  RunningTask,
  WorkerStatus,
  WorkerStatusSnapshot,
} from './worker-status.js';

/**
 * How often the page redraws at most: each redraw costs the page a frame (layout and paint, in
 * software on a headless machine: milliseconds), and a sharded run's stages finish dozens of
 * tasks a second. Elapsed times tick once a second while a task runs.
 */
const REDRAW_MS = 250;
const TICK_MS = 1_000;

function useSnapshot(status: WorkerStatus): WorkerStatusSnapshot {
  const [snapshot, setSnapshot] = useState(status.current());
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let shown = status.current().connection;
    const unsubscribe = status.subscribe(() => {
      const current = status.current();
      // A change of connection (a refused token above all) shows at once.
      if (current.connection !== shown) {
        shown = current.connection;
        clearTimeout(timer);
        timer = undefined;
        setSnapshot(current);
        return;
      }
      timer ??= setTimeout(() => {
        timer = undefined;
        setSnapshot(status.current());
      }, REDRAW_MS);
    });
    return () => {
      unsubscribe();
      clearTimeout(timer);
    };
  }, [status]);
  return snapshot;
}

function useNow(ticking: boolean): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!ticking) return;
    const timer = setInterval(() => setNow(Date.now()), TICK_MS);
    return () => clearInterval(timer);
  }, [ticking]);
  return ticking ? Math.max(now, Date.now()) : now;
}

function Connection({ snapshot }: { snapshot: WorkerStatusSnapshot }) {
  const stopped = snapshot.connection === 'rejected' || snapshot.connection === 'failed';
  return (
    <section class={`connection ${snapshot.connection}`} data-role="connection">
      <strong>Coordinator:</strong> <span>{snapshot.connectionText}</span>
      {stopped && (
        <p class="hint">
          This page has stopped trying. Open it again as{' '}
          <code>/worker?token=&lt;worker token&gt;</code> with the token{' '}
          <code>dtf coordinator</code> printed (or <code>credentials.json</code> in its data dir
          holds).
        </p>
      )}
    </section>
  );
}

function Capabilities({ snapshot }: { snapshot: WorkerStatusSnapshot }) {
  if (snapshot.capabilities === undefined) return <p>Probing this browser…</p>;
  return (
    <dl class="capabilities" data-role="capabilities">
      {capabilityLines(snapshot.capabilities).map((line) => (
        <div class={line.ok ? 'ok' : 'missing'} key={line.label}>
          <dt>{line.label}</dt>
          <dd>{line.value}</dd>
        </div>
      ))}
    </dl>
  );
}

function Running({ running, now }: { running: RunningTask[]; now: number }) {
  if (running.length === 0) return <p data-role="running">Nothing running.</p>;
  return (
    <table data-role="running">
      <thead>
        <tr>
          <th>Task</th>
          <th>Kind</th>
          <th>Backend</th>
          <th>Elapsed</th>
        </tr>
      </thead>
      <tbody>
        {running.map((task) => (
          <tr key={task.key}>
            <td>{task.label}</td>
            <td>{task.kind}</td>
            <td>{task.backend ?? '-'}</td>
            <td>{shortDuration(Math.max(0, now - task.startedAt))}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Recent({ recent }: { recent: FinishedTask[] }) {
  if (recent.length === 0) return <p data-role="recent">No task finished yet.</p>;
  return (
    <table data-role="recent">
      <thead>
        <tr>
          <th>Ended</th>
          <th>Task</th>
          <th>Kind</th>
          <th>Backend</th>
          <th>Result</th>
          <th>Took</th>
        </tr>
      </thead>
      <tbody>
        {recent.map((task) => (
          <tr
            key={`${task.key}@${task.endedAt}`}
            class={task.status === 'succeeded' ? 'passed' : 'failed'}
          >
            <td>{new Date(task.endedAt).toLocaleTimeString()}</td>
            <td>
              {task.label}
              {task.error !== undefined && (
                <details>
                  <summary>{task.error.split('\n', 1)[0]}</summary>
                  <pre>{task.error}</pre>
                </details>
              )}
            </td>
            <td>{task.kind ?? '-'}</td>
            <td>{task.backend ?? '-'}</td>
            <td class="status">{statusWord(task.status)}</td>
            <td>{shortDuration(task.durationMs)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function StatusPage({ status }: { status: WorkerStatus }) {
  const snapshot = useSnapshot(status);
  const now = useNow(snapshot.running.length > 0);
  return (
    <>
      <h1>DTF browser worker</h1>
      <Connection snapshot={snapshot} />
      <section>
        <h2 data-role="name">{snapshot.name}</h2>
        <p class="id">
          worker id <code>{snapshot.workerId}</code> · {snapshot.tasksDone} task(s) done
        </p>
        <Capabilities snapshot={snapshot} />
      </section>
      <section>
        <h2>Running now</h2>
        <Running running={snapshot.running} now={now} />
      </section>
      <section>
        <h2>Last results</h2>
        <Recent recent={snapshot.recent} />
      </section>
    </>
  );
}

/**
 * Draws the page into `root`; `data-state` on it follows the connection (at once, not at the
 * redraw's pace), so a script driving the page can wait for a state.
 */
export function showStatusPage(root: HTMLElement, status: WorkerStatus): void {
  const mark = () => {
    root.dataset.state = status.current().connection;
  };
  mark();
  status.subscribe(mark);
  render(<StatusPage status={status} />, root);
}

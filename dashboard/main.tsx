import '../ui/base.css';
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { DashboardFeed, type FeedState, type WorkersPage } from './feed.js';
import { age } from './format.js';
import { checkKey, forgetKey, keepKey, storedKey } from './key.js';
import { Activity, Cluster, Failures, Matrix, Runs, Summary, Workers } from './panels.js';
import { Trends } from './trends.js';

function Login({ onKey, problem }: { onKey: (key: string) => void; problem: string | undefined }) {
  const [key, setKey] = useState('');
  return (
    <form
      class="login"
      data-role="login"
      onSubmit={(event) => {
        event.preventDefault();
        if (key.trim() !== '') onKey(key.trim());
      }}
    >
      <h1>DTF dashboard</h1>
      <label>
        Admin key
        <input
          type="password"
          name="key"
          autocomplete="current-password"
          value={key}
          onInput={(e) => setKey((e.target as HTMLInputElement).value)}
        />
      </label>
      <button type="submit">Open the dashboard</button>
      {problem !== undefined && (
        <p class="problem" data-role="problem">
          {problem}
        </p>
      )}
      <p class="hint">
        The key <code>dtf coordinator</code> printed at its first start (
        <code>credentials.json</code> in its data dir). This browser keeps it until you sign out.
      </p>
    </form>
  );
}

function Dashboard({ apiKey, onSignOut }: { apiKey: string; onSignOut: () => void }) {
  const [state, setState] = useState<FeedState>({ kind: 'connecting' });
  const [filter, setFilter] = useState('');
  const feed = useRef<DashboardFeed | undefined>(undefined);
  const page = useRef<WorkersPage>({ offset: 0, limit: 50 });

  useEffect(() => {
    const made = new DashboardFeed(apiKey, page.current, setState);
    feed.current = made;
    return () => made.stop();
  }, [apiKey]);

  const showWorkers = (next: WorkersPage) => {
    page.current = next;
    feed.current?.showWorkers(next);
  };
  const view = state.kind === 'connecting' ? undefined : state.view;
  const lastRunEnd = view?.runs.find((r) => r.endedAt !== undefined)?.endedAt;
  return (
    <>
      <header>
        <h1>DTF dashboard</h1>
        <span class={`live ${state.kind}`} data-role="feed">
          {state.kind === 'live'
            ? 'live'
            : state.kind === 'connecting'
              ? 'connecting…'
              : `connection lost, retrying in ${age(state.retryInMs)}`}
        </span>
        {view !== undefined && (
          <span class="coordinator">
            {view.coordinator.role}, up {age(view.coordinator.uptimeMs)}
          </span>
        )}
        <button type="button" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      {view === undefined ? (
        <p class="empty">Connecting to the coordinator…</p>
      ) : (
        <main>
          <Summary view={view} />
          <Activity view={view} />
          <section class="panel">
            <h2>Runs</h2>
            <Runs view={view} />
          </section>
          <section class="panel">
            <h2>Latest cross-browser matrix</h2>
            <Matrix view={view} />
          </section>
          <section class="panel">
            <h2>Workers</h2>
            <Workers
              view={view}
              filter={filter}
              onFilter={(text) => {
                setFilter(text);
                showWorkers({
                  ...page.current,
                  offset: 0,
                  ...(text === '' ? { filter: undefined } : { filter: text }),
                });
              }}
              onPage={(offset) => showWorkers({ ...page.current, offset })}
            />
          </section>
          <section class="panel">
            <h2>Trends</h2>
            <Trends apiKey={apiKey} lastRunEnd={lastRunEnd} />
          </section>
          <section class="panel">
            <h2>Failures</h2>
            <Failures view={view} />
          </section>
          <Cluster view={view} />
        </main>
      )}
    </>
  );
}

function App() {
  const [key, setKey] = useState(storedKey());
  const [problem, setProblem] = useState<string | undefined>(undefined);
  useEffect(() => {
    if (key === undefined) return;
    // A kept key may have been replaced since: check it before following anything with it.
    void checkKey(key).then((checked) => {
      if (checked.ok) return;
      forgetKey();
      setKey(undefined);
      setProblem(checked.why);
    });
  }, [key]);
  if (key === undefined)
    return (
      <Login
        problem={problem}
        onKey={(given) => {
          void checkKey(given).then((checked) => {
            if (!checked.ok) {
              setProblem(checked.why);
              return;
            }
            keepKey(given);
            setProblem(undefined);
            setKey(given);
          });
        }}
      />
    );
  return (
    <Dashboard
      apiKey={key}
      onSignOut={() => {
        forgetKey();
        setKey(undefined);
      }}
    />
  );
}

render(<App />, document.getElementById('app') ?? document.body);

import { type Labels, WS_PATH } from '../../protocol/index.js';
import { newWorkerId, type WorkerLog, WorkerSession } from '../../worker-core/index.js';
import { ArtifactFetcher } from './artifacts.js';
import { probeCapabilities } from './capabilities/index.js';
import { BrowserConnection } from './connection.js';
import { createRunners } from './runners/index.js';
import { showStatusPage } from './status-page.js';
import { WorkerStatus } from './worker-status.js';

/** `?label=key=value`, repeatable. */
function labelsFrom(params: URLSearchParams): Labels {
  const labels: Labels = {};
  for (const label of params.getAll('label')) {
    const split = label.indexOf('=');
    if (split > 0) labels[label.slice(0, split)] = label.slice(split + 1);
  }
  return labels;
}

const consoleLog: WorkerLog = {
  debug: (fields, message) => console.debug(message, fields),
  info: (fields, message) => console.info(message, fields),
  warn: (fields, message) => console.warn(message, fields),
  error: (fields, message) => console.error(message, fields),
};

/**
 * Makes this page a worker of the coordinator that served it (or its cluster's leader):
 * `/worker?token=<token>`. The worker id and the secret the coordinator issues to it live in
 * this page's memory, for the page's life: not in sessionStorage, which a duplicated tab
 * copies, making two pages one worker.
 */
async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const workerId = newWorkerId();
  const status = new WorkerStatus(workerId, params.get('name') ?? 'this browser');
  showStatusPage(document.getElementById('status') ?? document.body, status);
  const token = params.get('token');
  if (!token) {
    status.failed('no token: open this page as /worker?token=<worker token>');
    return;
  }
  const capabilities = await probeCapabilities();
  const { browser } = capabilities;
  const name =
    params.get('name') ??
    `${browser.name}-${browser.version.split('.')[0]}-${workerId.slice(0, 8)}`;
  status.probed(capabilities, name);
  const wsScheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  // `?coordinator=ws://.../ws` (repeatable): the other members of a cluster, to fall back on.
  const urls = [`${wsScheme}//${location.host}${WS_PATH}`, ...params.getAll('coordinator')];
  const session: WorkerSession = new WorkerSession({
    workerId,
    name,
    capabilities,
    labels: labelsFrom(params),
    slots: Math.max(1, Number.parseInt(params.get('slots') ?? '1', 10) || 1),
    runAssignment: createRunners(
      new ArtifactFetcher(token),
      capabilities,
      () => session.currentIdentity,
    ),
    connect: (handlers) => new BrowserConnection(urls, token, handlers),
    log: consoleLog,
    observer: {
      registered: (identity) => status.registered(identity),
      disconnected: () => status.disconnected(),
      refused: (reason) => status.rejected(reason),
      taskStarted: (assignment) => status.taskStarted(assignment),
      taskFinished: (report) => status.taskFinished(report),
    },
  });
  session.start();
}

void main();

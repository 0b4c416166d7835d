import { Agent, request as httpRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NodeCapabilities, RestStatusReply, TaskSpecInput } from '../../protocol/index.js';
import type { CoordinatorProcess } from './coordinator-process.js';
import { connectLightWorker } from './light-worker.js';
import { sendOnSchedule } from './open-loop.js';
import { pollUntil } from './poll.js';

export interface OverloadPlan {
  /** The flood's length, and the quiet phase before it (the calm key's baseline). */
  floodSeconds: number;
  quietSeconds: number;
  /** One light worker: its slots and how long each task runs, hence what it can run a second. */
  slots: number;
  runMs: number;
  /** Tasks per flood submit; the flood offers 10× what the worker can run. */
  floodBatch: number;
  /** One-task submits a second from the well-behaved key, and health probes a second. */
  calmPerSecond: number;
  healthPerSecond: number;
  capabilities: NodeCapabilities;
}

export interface OverloadOutcome {
  quiet: { healthMs: number[]; calmMs: number[] };
  flood: { healthMs: number[]; calmMs: number[] };
  offered: number;
  acknowledged: number;
  refused: number;
  /** The most unfinished tasks the coordinator reported while flooded. */
  maxUnfinished: number;
  /** Acknowledged tasks that were not found, or had not succeeded, once the queue drained. */
  lost: number;
}

interface Answer {
  status: number;
  text: string;
  ms: number;
}

/** One request through a keep-alive agent: its status, body and round trip. */
function send(agent: Agent, url: string, method: 'GET' | 'POST', token: string, body?: string) {
  return new Promise<Answer>((resolve, reject) => {
    const started = performance.now();
    const req = httpRequest(url, {
      method,
      agent,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined
          ? {}
          : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }),
      },
    });
    req.once('error', reject);
    req.once('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.once('end', () =>
        resolve({ status: res.statusCode ?? 0, text, ms: performance.now() - started }),
      );
    });
    req.end(body);
  });
}

const tasks = (count: number, group: string): string =>
  JSON.stringify(
    Array.from(
      { length: count },
      (): TaskSpecInput => ({ kind: 'command', payload: { command: 'true' }, group }),
    ),
  );

async function submitterKey(coordinator: CoordinatorProcess, name: string): Promise<string> {
  const agent = new Agent();
  const body = JSON.stringify({ name, role: 'submitter' });
  const answer = await send(
    agent,
    `${coordinator.url}/api/keys`,
    'POST',
    coordinator.adminKey,
    body,
  );
  if (answer.status !== 201)
    throw new Error(`creating key ${name}: ${answer.status} ${answer.text}`);
  return (JSON.parse(answer.text) as { secret: string }).secret;
}

function unfinished(status: RestStatusReply): number {
  const { queued = 0, assigned = 0, running = 0 } = status.tasks;
  return queued + assigned + running;
}

/**
 * A well-behaved key's one-task submits and `/api/health` probes, both on open-loop schedules
 * for `seconds`, each timed; with `flood`, a second key meanwhile submits batches at 10× what
 * the worker can run, ignoring every refusal (the worst client, not the SDK, which waits).
 */
async function phase(
  coordinator: CoordinatorProcess,
  plan: OverloadPlan,
  keys: { calm: string; flood: string },
  seconds: number,
  flood: { acknowledged: string[]; offered: number; refused: number } | undefined,
) {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const healthMs: number[] = [];
  const calmMs: number[] = [];
  const pending: Array<Promise<unknown>> = [];
  const health = sendOnSchedule(seconds * plan.healthPerSecond, plan.healthPerSecond, () => {
    pending.push(
      send(agent, `${coordinator.url}/api/health`, 'GET', '').then((a) => healthMs.push(a.ms)),
    );
  });
  const calm = sendOnSchedule(seconds * plan.calmPerSecond, plan.calmPerSecond, () => {
    const body = tasks(1, 'calm');
    pending.push(
      send(agent, `${coordinator.url}/api/tasks/submit`, 'POST', keys.calm, body).then((a) => {
        if (a.status !== 201) throw new Error(`the calm key was refused: ${a.status} ${a.text}`);
        calmMs.push(a.ms);
      }),
    );
  });
  const perSecond = (plan.slots * 1000 * 10) / plan.runMs / plan.floodBatch;
  const flooding =
    flood === undefined
      ? undefined
      : sendOnSchedule(Math.round(seconds * perSecond), perSecond, () => {
          flood.offered += plan.floodBatch;
          const body = tasks(plan.floodBatch, 'flood');
          pending.push(
            send(agent, `${coordinator.url}/api/tasks/submit`, 'POST', keys.flood, body).then(
              (a) => {
                if (a.status === 201) {
                  flood.acknowledged.push(...(JSON.parse(a.text) as { taskIds: string[] }).taskIds);
                } else if (a.status === 429) flood.refused += plan.floodBatch;
                else throw new Error(`a flood submit got ${a.status}: ${a.text}`);
              },
            ),
          );
        });
  await Promise.all([health, calm, flooding]);
  await Promise.all(pending);
  agent.destroy();
  return { healthMs, calmMs };
}

/** Every acknowledged task that is not stored as succeeded, paging through its group. */
async function countLost(
  coordinator: CoordinatorProcess,
  group: string,
  acknowledged: readonly string[],
): Promise<number> {
  const agent = new Agent({ keepAlive: true });
  const succeeded = new Set<string>();
  let afterSeq = 0;
  for (;;) {
    const answer = await send(
      agent,
      `${coordinator.url}/api/tasks?group=${group}&afterSeq=${afterSeq}&limit=1000`,
      'GET',
      coordinator.adminKey,
    );
    const page = (
      JSON.parse(answer.text) as { tasks: Array<{ id: string; seq: number; state: string }> }
    ).tasks;
    for (const task of page) if (task.state === 'succeeded') succeeded.add(task.id);
    if (page.length < 1000) break;
    afterSeq = page.at(-1)!.seq;
  }
  agent.destroy();
  return acknowledged.filter((id) => !succeeded.has(id)).length;
}

/** The overload run on `coordinator` (started with its admission limits): see `overload.ts`. */
export async function runOverload(
  coordinator: CoordinatorProcess,
  plan: OverloadPlan,
  progress: (line: string) => void,
): Promise<OverloadOutcome> {
  const worker = await connectLightWorker({
    url: `${coordinator.wsUrl}?token=${coordinator.workerToken}`,
    name: 'paced',
    slots: plan.slots,
    runMs: plan.runMs,
    capabilities: plan.capabilities,
    onFailure: (error) => progress(`worker failed: ${error.message}`),
  });
  try {
    const keys = {
      calm: await submitterKey(coordinator, 'calm'),
      flood: await submitterKey(coordinator, 'flood'),
    };
    // Unmeasured: a fresh coordinator's first seconds run its hot paths unoptimized still.
    progress('warming up for 3 s…');
    await phase(coordinator, plan, keys, 3, undefined);
    progress(`quiet: the calm key alone for ${plan.quietSeconds} s…`);
    const quiet = await phase(coordinator, plan, keys, plan.quietSeconds, undefined);
    const flood = { acknowledged: [] as string[], offered: 0, refused: 0 };
    let maxUnfinished = 0;
    let sampling = true;
    const status = async () => {
      const agent = new Agent({ keepAlive: true });
      while (sampling) {
        const answer = await send(
          agent,
          `${coordinator.url}/api/status`,
          'GET',
          coordinator.adminKey,
        );
        maxUnfinished = Math.max(
          maxUnfinished,
          unfinished(JSON.parse(answer.text) as RestStatusReply),
        );
        await sleep(100);
      }
      agent.destroy();
    };
    progress(`flood: 10× what the worker runs, for ${plan.floodSeconds} s…`);
    const sampled = status();
    const flooded = await phase(coordinator, plan, keys, plan.floodSeconds, flood);
    sampling = false;
    await sampled;
    progress(`draining ${flood.acknowledged.length} acknowledged flood tasks…`);
    const agent = new Agent({ keepAlive: true });
    await pollUntil('the queue drained', 600_000, async () => {
      const answer = await send(
        agent,
        `${coordinator.url}/api/status`,
        'GET',
        coordinator.adminKey,
      );
      return unfinished(JSON.parse(answer.text) as RestStatusReply) === 0 ? true : undefined;
    });
    agent.destroy();
    return {
      quiet,
      flood: flooded,
      offered: flood.offered,
      acknowledged: flood.acknowledged.length,
      refused: flood.refused,
      maxUnfinished,
      lost: await countLost(coordinator, 'flood', flood.acknowledged),
    };
  } finally {
    await worker.close();
  }
}

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatWorkersTable, parseWorkersResponse } from '../../../../cli/commands/workers.js';
import { buildProgram } from '../../../../cli/program.js';
import type { RestWorkerView } from '../../../../protocol/index.js';
import { nodeCapabilities } from '../../../support/fixtures.js';

function worker(overrides: Partial<RestWorkerView> = {}): RestWorkerView {
  return {
    id: 'w-1',
    name: 'builder',
    status: 'connected',
    slots: 4,
    running: ['t1'],
    draining: false,
    labels: {},
    capabilities: nodeCapabilities(),
    registeredAt: 1,
    lastSeen: 2,
    health: { score: 100, breaker: 'closed', consecutiveFailures: 0 },
    ...overrides,
  };
}

const broken = worker({
  id: 'w-2',
  name: 'flaky',
  running: [],
  slots: 1,
  health: { score: 55, breaker: 'open', consecutiveFailures: 3, openedAt: 5 },
});

describe('dtf workers table', () => {
  it('shows name, id, kind, status, running/slots, score and breaker', () => {
    expect(formatWorkersTable([worker(), broken]).split('\n')).toEqual([
      'NAME     ID   KIND  STATUS     RUNNING  SCORE  BREAKER',
      'builder  w-1  node  connected  1/4      100    closed',
      'flaky    w-2  node  connected  0/1      55     open (3 failures)',
    ]);
  });

  it('rejects a response without health, naming the field', () => {
    const { health: _, ...old } = worker();
    expect(() => parseWorkersResponse({ workers: [old] })).toThrow(/workers\[0\]\.health/);
  });
});

describe('dtf workers', () => {
  let server: Server | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  async function run(...args: string[]): Promise<{ stdout: string; auth: string | undefined }> {
    let auth: string | undefined;
    server = createServer((req, res) => {
      auth = req.headers.authorization;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ workers: [worker(), broken] }));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    let stdout = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout += String(chunk);
      return true;
    });
    await buildProgram().parseAsync([
      'node',
      'dtf',
      '--coordinator',
      `http://127.0.0.1:${port}`,
      '--token',
      'k',
      'workers',
      ...args,
    ]);
    return { stdout, auth };
  }

  it('prints the table from GET /api/workers', async () => {
    const { stdout, auth } = await run();
    expect(auth).toBe('Bearer k');
    expect(stdout).toContain('flaky    w-2  node  connected  0/1      55     open (3 failures)');
  });

  it('prints the workers as JSON with --json', async () => {
    const { stdout } = await run('--json');
    const printed = JSON.parse(stdout) as RestWorkerView[];
    expect(printed.map((w) => w.health)).toEqual([worker().health, broken.health]);
  });
});

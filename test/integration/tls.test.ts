import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { trustCaFile } from '../../cli/tls-trust.js';
import { DtfClient } from '../../client/index.js';
import type { TaskSpecInput } from '../../protocol/index.js';
import {
  type CoordinatorProcess,
  spawnDtf,
  startCoordinatorProcess,
  startWorkerProcess,
} from '../support/processes.js';
import { clusterCredentials, firstLeader, startRaftCluster } from '../support/raft-cluster.js';
import { getJson } from '../support/rest.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';

const certs = tempDir();
const ca = join(certs, 'ca.pem');
const tlsArgs = ['--tls-cert', join(certs, 'cert.pem'), '--tls-key', join(certs, 'key.pem')];
let coordinator: CoordinatorProcess;

beforeAll(async () => {
  const made = spawnDtf(['certs', 'dev', '--dir', certs]);
  expect(await made.exitWithin(30_000, 'dtf certs dev')).toBe(0);
  // This test's own requests (fetch) trust the CA as `--ca` makes a dtf process trust it.
  trustCaFile(ca);
  coordinator = await startCoordinatorProcess(tempDir(), { extraArgs: tlsArgs });
});
cleanUpAfterAll();

const echo: TaskSpecInput = { kind: 'command', payload: { command: 'echo', args: ['over tls'] } };

describe('a coordinator over TLS', () => {
  it('serves HTTPS and WSS to the CLI, a Node worker and the SDK that trust its CA', async () => {
    expect(coordinator.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(coordinator.wsUrl).toMatch(/^wss:\/\//);
    await startWorkerProcess(coordinator, { extraArgs: ['--ca', ca] });
    const client = await DtfClient.connect({
      urls: [coordinator.wsUrl],
      token: coordinator.adminKey,
      ca: readFileSync(ca, 'utf8'),
    });
    try {
      const ids = await client.submit([echo]);
      expect((await client.waitFor({ taskIds: ids })).map((e) => e.state)).toEqual(['succeeded']);
      const { result } = await getJson<{ result: { output: { stdout: string } } }>(
        coordinator.url,
        `/api/results/${ids[0]}`,
        coordinator.adminKey,
      );
      expect(result.output.stdout).toBe('over tls\n');
    } finally {
      await client.close();
    }
    const status = spawnDtf(['status', '--coordinator', coordinator.url, '--ca', ca], {
      DTF_TOKEN: coordinator.adminKey,
    });
    expect(await status.exitWithin(30_000, 'dtf status --ca')).toBe(0);
  });

  it('answers a plain HTTP or WebSocket client with a clear error, and a client without the CA fails naming the certificate', async () => {
    const plain = coordinator.url.replace('https://', 'http://');
    const health = await fetch(`${plain}/api/health`);
    expect(health.status).toBe(400);
    expect(await health.text()).toContain('this coordinator speaks TLS only: use https://');
    const overWs = spawnDtf(['wait', 'some-group', '--coordinator', plain], {
      DTF_TOKEN: coordinator.adminKey,
    });
    expect(await overWs.exitWithin(30_000, 'dtf wait over ws://')).not.toBe(0);
    expect(overWs.output()).toContain(
      'handshake refused with HTTP 400: this coordinator speaks TLS only',
    );
    const untrusting = spawnDtf(['status', '--coordinator', coordinator.url], {
      DTF_TOKEN: coordinator.adminKey,
    });
    expect(await untrusting.exitWithin(30_000, 'dtf status without --ca')).not.toBe(0);
    expect(untrusting.output()).toContain('unable to verify the first certificate');
  });

  it('stops at once on SIGTERM, a connection that never sent a byte included', async () => {
    const { port } = new URL(coordinator.url);
    const silent = connect(Number(port), '127.0.0.1');
    await once(silent, 'connect');
    coordinator.child.kill('SIGTERM');
    // Before the first-byte timeout (10 s) would have ended that connection by itself.
    expect(await coordinator.exitWithin(8_000, 'the coordinator')).toBe(0);
    silent.destroy();
  });

  it('a 3-member cluster whose members talk over TLS elects a leader and commits on every member', async () => {
    const members = await startRaftCluster(3, [...tlsArgs, '--ca', ca], {}, 'https');
    const leader = await firstLeader(members);
    const keys = await clusterCredentials(members);
    const client = await DtfClient.connect({
      urls: members.map((m) => m.wsUrl),
      token: keys.adminKey,
      ca: readFileSync(ca, 'utf8'),
    });
    try {
      const [id] = await client.submit([echo]);
      // Every member, followers included, has it once committed (a linearizable read).
      for (const member of members) {
        const task = await getJson<{ id: string }>(member.url, `/api/tasks/${id}`, keys.adminKey);
        expect(task.id, member.id).toBe(id);
      }
    } finally {
      await client.close();
    }
    expect(leader.url).toMatch(/^https:/);
  });
});

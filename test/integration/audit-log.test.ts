import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { DtfClient } from '../../client/index.js';
import { auditHash } from '../../coordinator/state/index.js';
import type {
  AuditEntry,
  AuditReply,
  AuditVerifyReply,
  TaskSpecInput,
} from '../../protocol/index.js';
import {
  type CoordinatorProcess,
  spawnDtf,
  startCoordinatorProcess,
} from '../support/processes.js';
import { getJson, postJson } from '../support/rest.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';

const dataDir = tempDir();
let coordinator: CoordinatorProcess;
let submitter: { id: string; secret: string };

beforeAll(async () => {
  coordinator = await startCoordinatorProcess(dataDir);
  const created = await postJson(coordinator.url, '/api/keys', coordinator.adminKey, {
    name: 'ci',
    role: 'submitter',
  });
  const reply = (await created.json()) as { key: { id: string }; secret: string };
  submitter = { id: reply.key.id, secret: reply.secret };
});
cleanUpAfterAll();

const command = (group: string): TaskSpecInput => ({
  kind: 'command',
  payload: { command: 'true' },
  group,
});

const audit = () => getJson<AuditReply>(coordinator.url, '/api/audit', coordinator.adminKey);

/** `dtf audit verify --json` as a user runs it: its outcome and its exit code. */
async function verifyWithCli(): Promise<{ reply: AuditVerifyReply; code: number | null }> {
  const cli = spawnDtf(['audit', 'verify', '--json', '--coordinator', coordinator.url], {
    DTF_TOKEN: coordinator.adminKey,
  });
  const code = await cli.exitWithin(30_000, 'dtf audit verify');
  return { reply: JSON.parse(cli.output()) as AuditVerifyReply, code };
}

/** The same check, asked of the API (a process start less). */
async function verify(): Promise<{ reply: AuditVerifyReply }> {
  return {
    reply: await getJson<AuditVerifyReply>(
      coordinator.url,
      '/api/audit/verify',
      coordinator.adminKey,
    ),
  };
}

/** Changes the stored log behind the coordinator's back, as someone with the data dir could. */
function tamper(change: (db: Database.Database) => void): void {
  const db = new Database(join(dataDir, 'dtf.sqlite'));
  try {
    db.pragma('busy_timeout = 5000');
    change(db);
  } finally {
    db.close();
  }
}

const storedText = (db: Database.Database, seq: number) =>
  db.prepare('SELECT entry FROM audit_log WHERE seq = ?').pluck().get(seq) as string;
const store = (db: Database.Database, seq: number, text: string) =>
  db.prepare('UPDATE audit_log SET entry = ? WHERE seq = ?').run(text, seq);

describe('the audit log', () => {
  it("records each admin and submitter change with its key and address, over REST and WebSocket, and no one else's", async () => {
    const rest = await postJson(coordinator.url, '/api/tasks/submit', submitter.secret, [
      command('rest-group'),
      command('rest-group'),
    ]);
    expect(rest.status).toBe(201);
    const client = await DtfClient.connect({ urls: [coordinator.wsUrl], token: submitter.secret });
    try {
      await client.submit([command('ws-group')]);
      await client.cancel({ group: 'ws-group' });
    } finally {
      await client.close();
    }
    const hook = await postJson(coordinator.url, '/api/webhooks', coordinator.adminKey, {
      url: 'https://hooks.example/secret-path?token=hidden',
    });
    expect(hook.status).toBe(201);
    // A refused change is not one: nothing is appended for it.
    const foreign = await postJson(coordinator.url, '/api/keys', submitter.secret, {
      name: 'x',
      role: 'admin',
    });
    expect(foreign.status).toBe(403);

    const { entries, keyNames, head } = await audit();
    expect(entries.map((e) => [e.seq, e.action, e.key, e.role])).toEqual([
      [1, 'key.create', 'admin', 'admin'],
      [2, 'submit', submitter.id, 'submitter'],
      [3, 'submit', submitter.id, 'submitter'],
      [4, 'cancel', submitter.id, 'submitter'],
      [5, 'webhook.add', 'admin', 'admin'],
    ]);
    expect(keyNames).toEqual({ [submitter.id]: 'ci' });
    for (const entry of entries) expect(['127.0.0.1', '::ffff:127.0.0.1']).toContain(entry.from);
    expect(entries[1]!.target).toMatch(/^2 tasks \(command\) in group rest-group: /);
    expect(entries[3]!.target).toBe('group ws-group: 1 task cancelled');
    // A webhook's path and query often hold its secret: the log keeps its host only.
    expect(entries[4]!.target).toContain('hooks.example');
    expect(entries[4]!.target).not.toContain('hidden');
    expect(head).toEqual({ seq: 5, hash: entries[4]!.hash });
    for (const [i, entry] of entries.entries()) {
      expect(entry.prev).toBe(i === 0 ? '0'.repeat(64) : entries[i - 1]!.hash);
    }
  });

  it('verify names the entry edited, rewritten with its hash recomputed, deleted, or cut from the end', async () => {
    expect(await verifyWithCli()).toMatchObject({ code: 0, reply: { ok: true, entries: 5 } });
    const original = new Map<number, string>();
    tamper((db) => {
      for (const seq of [1, 2, 3, 4, 5]) original.set(seq, storedText(db, seq));
    });
    const restore = () =>
      tamper((db) => {
        for (const [seq, text] of original) {
          db.prepare('INSERT OR REPLACE INTO audit_log (seq, at, entry) VALUES (?, ?, ?)').run(
            seq,
            (JSON.parse(text) as AuditEntry).at,
            text,
          );
        }
      });

    tamper((db) => {
      const entry = JSON.parse(original.get(3)!) as AuditEntry;
      store(db, 3, JSON.stringify({ ...entry, key: 'admin', role: 'admin' }));
    });
    expect(await verifyWithCli()).toMatchObject({
      code: 1,
      reply: { ok: false, seq: 3, problem: 'entry 3 does not match its hash: it was edited' },
    });

    tamper((db) => {
      const entry = JSON.parse(original.get(3)!) as AuditEntry;
      const edited = { ...entry, from: '10.0.0.9' };
      store(db, 3, JSON.stringify({ ...edited, hash: auditHash(edited.prev, edited) }));
    });
    const rewritten = await verify();
    expect(rewritten).toMatchObject({ reply: { ok: false, seq: 3 } });
    expect(rewritten.reply.ok || rewritten.reply.problem).toContain('entry 3 was rewritten');

    restore();
    tamper((db) => db.prepare('DELETE FROM audit_log WHERE seq = 2').run());
    expect(await verify()).toMatchObject({
      reply: { ok: false, seq: 2, problem: 'entries 2 to 2 are missing: they were deleted' },
    });

    restore();
    tamper((db) => db.prepare('DELETE FROM audit_log WHERE seq = 5').run());
    const cut = await verify();
    expect(cut).toMatchObject({ reply: { ok: false, seq: 5 } });
    expect(cut.reply.ok || cut.reply.problem).toContain('missing');

    restore();
    expect(await verify()).toMatchObject({ reply: { ok: true, entries: 5 } });
  });

  it('goes on across a restart: new entries chain to the head kept', async () => {
    coordinator.child.kill('SIGTERM');
    await coordinator.exitWithin(30_000, 'the coordinator');
    coordinator = await startCoordinatorProcess(dataDir);
    const submitted = await postJson(coordinator.url, '/api/tasks/submit', coordinator.adminKey, [
      command('after-restart'),
    ]);
    expect(submitted.status).toBe(201);
    const { entries } = await audit();
    expect(entries.at(-1)).toMatchObject({ seq: 6, action: 'submit', key: 'admin' });
    expect(entries.at(-1)!.prev).toBe(entries.at(-2)!.hash);
    expect(await verify()).toMatchObject({ reply: { ok: true, entries: 6 } });
  });
});

import {
  chmodSync,
  cpSync,
  mkdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test, vi } from 'vitest';
import {
  CLI,
  markedProcesses,
  processMark,
  type Spawned,
  spawnWatched,
  waitUntilNoneMarked,
} from '../support/processes.js';
import { readmeTour } from '../support/readme-tour.js';
import { getJson } from '../support/rest.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';

// Registered first, so it runs last: after the tour's own processes are stopped.
cleanUpAfterAll();

const REPO = fileURLToPath(new URL('../..', import.meta.url));
/** The address the README's commands name; the tour's coordinator takes a free port instead. */
const README_ADDRESS = '127.0.0.1:8080';

/** The `tasks.json` of `dtf submit tasks.json --group nightly`: "one task spec or an array". */
const NIGHTLY = [
  { kind: 'command', name: 'lint', payload: { command: 'true' } },
  { kind: 'command', name: 'unit', payload: { command: 'node', args: ['-e', 'console.log(2)'] } },
  {
    kind: 'command',
    name: 'smoke',
    payload: { command: 'echo "ok $1"', shell: true, args: ['1'] },
  },
];

/**
 * The README's tour as a newcomer takes it: in the repository's root (here a fresh directory
 * with what the tour uses: a copy of examples/ and the installed node_modules), with `dtf` on
 * the PATH and the relative `--data-dir .dtf`, each command as the README has it but for the
 * port: the coordinator takes a free one, and the README's 127.0.0.1:8080 means it, given
 * (`--coordinator`) or by default (`DTF_COORDINATOR`).
 */
class Tour {
  readonly dir = tempDir('dtf-tour-');
  /** Carried by every process of the tour and all they start. */
  private readonly mark = processMark();
  private readonly env: NodeJS.ProcessEnv;
  /** Long-running commands (each in "another terminal"), stopped in teardown. */
  private readonly running = new Map<string, Spawned>();
  private address = README_ADDRESS;
  /** The coordinator's URL, once it listens. */
  url = '';

  constructor() {
    cpSync(join(REPO, 'examples'), join(this.dir, 'examples'), { recursive: true });
    symlinkSync(join(REPO, 'node_modules'), join(this.dir, 'node_modules'));
    const bin = join(this.dir, '.bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'dtf'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
    chmodSync(join(bin, 'dtf'), 0o755);
    const inherited = Object.entries(process.env).filter(([name]) => !name.startsWith('DTF_'));
    this.env = {
      ...Object.fromEntries(inherited),
      ...this.mark.env,
      PATH: `${bin}:${process.env.PATH}`,
    };
  }

  useCoordinator(url: string): void {
    this.url = url;
    this.address = new URL(url).host;
    this.env.DTF_COORDINATOR = url;
  }

  /** What the coordinator wrote to .dtf/credentials.json. */
  credentials(): { adminKey: string; workerToken: string } {
    return JSON.parse(readFileSync(join(this.dir, '.dtf', 'credentials.json'), 'utf8'));
  }

  setEnv(name: string, value: string): void {
    this.env[name] = value;
  }

  private shell(command: string): Spawned {
    const line = command.replaceAll(README_ADDRESS, this.address);
    return spawnWatched('bash', ['-c', line], { cwd: this.dir, env: this.env });
  }

  /** Runs a command to its end and expects it to exit 0; what it printed. */
  async succeeds(command: string, timeoutMs = 120_000): Promise<string> {
    const spawned = this.shell(command);
    const code = await spawned.exitWithin(timeoutMs, `\`${command}\``);
    expect(code, `\`${command}\` exited with ${code}:\n${spawned.output()}`).toBe(0);
    return spawned.output();
  }

  /** Starts a command that keeps running, as in another terminal. */
  start(command: string): Spawned {
    const spawned = this.shell(`exec ${command}`);
    this.running.set(command, spawned);
    return spawned;
  }

  /** The long-running command that starts with `prefix`. */
  started(prefix: string): Spawned {
    const found = [...this.running].find(([command]) => command.startsWith(prefix));
    if (found === undefined) throw new Error(`no running \`${prefix}…\``);
    return found[1];
  }

  /**
   * Stops the long-running commands, last first, as Ctrl-C does; nothing they started may
   * outlive them (what does is named, and killed in the file's teardown).
   */
  async stop(): Promise<void> {
    const seen = markedProcesses(this.mark.entry);
    for (const [command, spawned] of [...this.running].reverse()) {
      if (spawned.child.exitCode !== null || spawned.child.signalCode !== null) continue;
      spawned.child.kill('SIGINT');
      await spawned.exitWithin(30_000, `\`${command}\` after SIGINT`);
    }
    await waitUntilNoneMarked(this.mark.entry, seen);
  }
}

const tour = new Tour();
afterAll(() => tour.stop(), 180_000);

interface WorkerRow {
  status: string;
  capabilities: { browser?: { name: string } };
}

/** README text, for a RegExp that matches it literally. */
const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

type Step = (command: string, comment: string) => Promise<void>;

/** Each command of the README's tour, in order, and what a newcomer sees it do. */
const STEPS: Array<[command: string | RegExp, take: Step]> = [
  [
    'dtf coordinator --data-dir .dtf',
    async (command, comment) => {
      const coordinator = tour.start(`${command} --port 0`);
      // The comment is what it prints, but for the port.
      const printed = new RegExp(`^${literal(comment).replace('8080', '\\d+')}$`, 'm');
      const [line] = await coordinator.waitFor(printed, 60_000);
      tour.useCoordinator(line.slice(line.indexOf('http://')));
      expect(statSync(join(tour.dir, '.dtf', 'credentials.json')).mode & 0o777).toBe(0o600);
      expect(tour.credentials()).toEqual({
        adminKey: expect.any(String),
        workerToken: expect.any(String),
      });
    },
  ],
  [
    `dtf worker --coordinator http://127.0.0.1:8080 --name my-worker --token "$(node -p 'require("./.dtf/credentials.json").workerToken')" --label pool=cpu --slots 4`,
    async (command) => {
      await tour.start(command).waitFor(/^DTF worker \S+ registered$/m, 60_000);
    },
  ],
  [
    `export DTF_TOKEN="$(node -p 'require("./.dtf/credentials.json").adminKey')"`,
    async (command) => {
      const token = await tour.succeeds(`${command} && printf %s "$DTF_TOKEN"`);
      expect(token).toBe(tour.credentials().adminKey);
      tour.setEnv('DTF_TOKEN', token);
    },
  ],
  [
    `dtf submit --command 'echo hello from $(hostname)' --count 20 --priority 5 --wait`,
    async (command) => {
      expect(await tour.succeeds(command)).toMatch(/^succeeded\s+20$/m);
    },
  ],
  [
    'dtf submit tasks.json --group nightly',
    async (command) => {
      writeFileSync(join(tour.dir, 'tasks.json'), JSON.stringify(NIGHTLY, null, 2));
      expect(await tour.succeeds(command)).toContain('submitted 3 task(s) in group nightly');
    },
  ],
  [
    // --timeout only bounds the wait.
    /^dtf wait nightly(?: --timeout \S+)?$/,
    async (command) => {
      expect(await tour.succeeds(command)).toMatch(/^succeeded\s+3$/m);
    },
  ],
  [
    'dtf tasks --group nightly',
    async (command) => {
      const table = await tour.succeeds(command);
      for (const { name } of NIGHTLY) {
        expect(table).toMatch(new RegExp(`^.* ${name} .*\\bsucceeded\\b`, 'm'));
      }
    },
  ],
  [
    `dtf submit --command 'nvidia-smi' --label gpu=a100 --group gpu`,
    async (command) => {
      expect(await tour.succeeds(command)).toContain('submitted 1 task(s) in group gpu');
    },
  ],
  [
    'dtf tasks --state queued',
    async (command, comment) => {
      // The comment: "NOTE: <what the NOTE column says>".
      const note = comment.replace(/^NOTE: /, '');
      const row = new RegExp(`^.* nvidia-smi .*\\bqueued\\b.*${literal(note)}$`, 'm');
      expect(await tour.succeeds(command)).toMatch(row);
    },
  ],
  [
    'dtf cancel gpu',
    async (command) => {
      expect(await tour.succeeds(command)).toContain('cancelled 1 task(s) of group gpu');
    },
  ],
  [
    'dtf status',
    async (command) => {
      const status = await tour.succeeds(command);
      expect(status).toMatch(/^tasks\.succeeded\s+23$/m);
      expect(status).toMatch(/^tasks\.cancelled\s+1$/m);
      expect(status).toMatch(/^workers\.connected\s+1$/m);
    },
  ],
  [
    'dtf workers',
    async (command) => {
      expect(await tour.succeeds(command)).toMatch(/^my-worker\s.*\bnode\s+connected\s+\d+\/4\b/m);
    },
  ],
  [
    'dtf run examples/sample-suite.json --coordinator http://127.0.0.1:8080 --meta team=ml',
    async (command) => {
      const output = await tour.succeeds(command, 300_000);
      expect(output).toMatch(/^PASS {2}sample: 4\/4 tasks passed/m);
      expect(output).toMatch(/^results kept as run \S+ \(10 results\)/m);
    },
  ],
  [
    'dtf schema',
    async (command) => {
      const schema = JSON.parse(await tour.succeeds(command)) as { title: string; $defs: object };
      expect(schema.title).toMatch(/^DTF protocol v\d+$/);
      expect(Object.keys(schema.$defs)).toContain('TaskSpec');
    },
  ],
  [
    'dtf --version',
    async (command) => {
      const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
        version: string;
      };
      expect((await tour.succeeds(command)).trim()).toBe(version);
    },
  ],
  [
    `dtf pool --coordinator http://127.0.0.1:8080 --browser chromium=2 --browser firefox=1 --token "$(node -p 'require("./.dtf/credentials.json").workerToken')"`,
    async (command) => {
      await tour.start(command).waitFor(/^DTF pool ready: chromium×2, firefox×1$/m, 300_000);
      // Ready browsers are workers the coordinator lists as connected.
      const token = tour.credentials().adminKey;
      await vi.waitFor(
        async () => {
          const { workers } = await getJson<{ workers: WorkerRow[] }>(
            tour.url,
            '/api/workers',
            token,
          );
          const connected = (name: string) =>
            workers.filter((w) => w.status === 'connected' && w.capabilities.browser?.name === name)
              .length;
          expect([connected('chromium'), connected('firefox')]).toEqual([2, 1]);
        },
        { timeout: 120_000, interval: 500 },
      );
    },
  ],
  [
    'dtf run examples/cross-browser.json --coordinator http://127.0.0.1:8080',
    async (command) => {
      const report = await tour.succeeds(command, 600_000);
      expect(report).toMatch(
        /^PASS {2}cross-browser: \d+\/21 matrix cells passed \(\d+ unsupported, 0 failed\)/m,
      );
      // Columns: model, worker, cpu, wasm, webgpu, webnn. Every model runs on wasm in both browsers.
      for (const model of ['mlp', 'cnn', 'transformer-block']) {
        expect(report).toMatch(new RegExp(`^${model}\\s+node\\s+pass `, 'm'));
        for (const browser of ['chromium', 'firefox']) {
          expect(report).toMatch(new RegExp(`^${model}\\s+${browser}\\s+-\\s+pass `, 'm'));
        }
      }
    },
  ],
  [
    'dtf runs',
    async (command) => {
      const table = await tour.succeeds(command);
      expect(table).toMatch(/^RUN\s+SUITE\s+STATUS/);
      const suites = [...table.matchAll(/^\S+\s+(\S+)\s+passed\s/gm)].map((m) => m[1]);
      expect(suites).toEqual(['cross-browser', 'sample']);
    },
  ],
  [
    "dtf results --test 'model mlp' --browser chromium",
    async (command) => {
      const table = await tour.succeeds(command);
      expect(table).toMatch(
        /^\S+\s+[\d-]+ [\d:]+\s+model mlp\s+chromium\s+wasm\s+passed\s+\S+\s+[\d.]+ ms/m,
      );
      expect(table).toMatch(/^\S+.*\s+model mlp\s+chromium\s+webnn\s+(passed|skipped)\s/m);
    },
  ],
  [
    'dtf browsers',
    async (command) => {
      const found = await tour.succeeds(command);
      expect(found).toMatch(/^chromium\s/m);
      expect(found).toMatch(/^firefox\s/m);
    },
  ],
  [
    'dtf drain my-worker --grace-ms 60000',
    async (command) => {
      expect(await tour.succeeds(command)).toMatch(/^draining worker my-worker \(/m);
      const worker = tour.started('dtf worker');
      expect(await worker.exitWithin(60_000, 'the drained worker')).toBe(0);
    },
  ],
];

test('the README tour, command by command, with a Node worker and headless Chromium and Firefox', {
  timeout: 1_200_000,
}, async () => {
  const lines = readmeTour();
  expect(lines.map((line) => line.command)).toEqual(
    STEPS.map(([command]) =>
      typeof command === 'string' ? command : expect.stringMatching(command),
    ),
  );
  for (const [index, [, take]] of STEPS.entries()) {
    const { command, comment } = lines[index]!;
    try {
      await take(command, comment);
    } catch (error) {
      throw new Error(`README tour, \`${command}\`: ${(error as Error).message}`, { cause: error });
    }
  }
});

#!/usr/bin/env node
// Runs the integration, chaos and e2e tests with a CPU hog on every core, several times in a
// row, to catch tests that assert what usually happens on a quiet machine rather than what must
// hold: `npm run test:stress -- [--runs N] [vitest args]`. Stops at the first failing run.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
let runs = 3;
const at = args.indexOf('--runs');
if (at !== -1) {
  runs = Number(args[at + 1]);
  args.splice(at, 2);
  if (!Number.isInteger(runs) || runs < 1) {
    console.error('test:stress: --runs takes a whole number of at least 1');
    process.exit(2);
  }
}

// The hog spins in slices and yields between them, so that it sees its IPC channel close when
// this script dies in any way (kill -9 included) and exits instead of spinning on as an orphan.
const HOG = `
process.on('disconnect', () => process.exit(0));
(function spin() {
  const end = Date.now() + 50;
  while (Date.now() < end);
  setImmediate(spin);
})();
`;
const hogs = Array.from({ length: availableParallelism() }, () =>
  spawn(process.execPath, ['-e', HOG], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }),
);
let vitest;

function stopAll() {
  for (const hog of hogs) hog.kill('SIGKILL');
  vitest?.kill('SIGTERM');
}
process.on('exit', stopAll);
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
]) {
  process.on(signal, () => {
    stopAll();
    if (vitest === undefined) process.exit(code);
    // Vitest's teardown ends the coordinators and browsers it started: give it the time to.
    vitest.on('exit', () => process.exit(code));
    setTimeout(() => {
      vitest?.kill('SIGKILL');
      process.exit(code);
    }, 20_000).unref();
  });
}

const dir = mkdtempSync(join(tmpdir(), 'dtf-stress-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** One vitest run; its exit code and the passed/failed counts from its JSON report. */
function runOnce(i) {
  const report = join(dir, `run-${i}.json`);
  const vitestArgs = [
    join(root, 'node_modules', 'vitest', 'vitest.mjs'),
    'run',
    ...['--project', 'integration', '--project', 'chaos', '--project', 'e2e'],
    ...['--reporter=default', '--reporter=json', `--outputFile.json=${report}`],
    ...args,
  ];
  return new Promise((resolve) => {
    vitest = spawn(process.execPath, vitestArgs, { cwd: root, stdio: 'inherit' });
    vitest.on('exit', (code, signal) => {
      vitest = undefined;
      let passed = 0;
      let failed = 0;
      try {
        const r = JSON.parse(readFileSync(report, 'utf8'));
        passed = r.numPassedTests;
        // A file that failed to load fails the run without failing a test: count it.
        failed = r.numFailedTests || (code === 0 ? 0 : Math.max(1, r.numFailedTestSuites));
      } catch {
        failed = 1;
      }
      resolve({ ok: code === 0 && failed === 0, passed, failed, why: signal ?? code });
    });
  });
}

const lines = [];
let ok = true;
for (let i = 1; i <= runs && ok; i++) {
  const started = Date.now();
  const r = await runOnce(i);
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  lines.push(
    `run ${i}/${runs}: ${r.ok ? 'ok' : 'FAILED'}, ${r.passed} passed, ${r.failed} failed, ${minutes} min` +
      (r.ok ? '' : ` (vitest exit ${r.why})`),
  );
  console.log(`\ntest:stress ${lines.at(-1)}`);
  ok = r.ok;
}
console.log(`\ntest:stress with ${hogs.length} CPU hogs:`);
for (const line of lines) console.log(`  ${line}`);
console.log(
  ok ? `verdict: passed ${runs} runs in a row` : `verdict: FAILED in run ${lines.length}`,
);
process.exit(ok ? 0 : 1);

import { describe, expect, it } from 'vitest';
import { failures } from '../../../../cli/ci/failures.js';
import { githubAnnotations } from '../../../../cli/ci/github.js';
import { ciProvider } from '../../../../cli/ci/providers.js';
import type { SuiteReport } from '../../../../cli/report/suite-report.js';
import type { RunOutcome } from '../../../../cli/run/run-suite.js';

const report = {
  suite: 'app',
  tasks: [
    {
      name: 'unit 1/2',
      dir: '/ws/packages/app',
      cases: [
        { name: 'test/sum.test.ts > adds', status: 'passed', durationMs: 1 },
        {
          name: 'test/sum.test.ts > carries, 100%',
          status: 'failed',
          durationMs: 1,
          message:
            'AssertionError: expected 3 to be 4\n ❯ test/sum.test.ts:7:21\n    at /ws/packages/app/test/sum.test.ts:7:21',
        },
      ],
    },
    {
      name: 'lint',
      cases: [{ name: 'lint', status: 'error', durationMs: 0, message: 'task timed_out' }],
    },
  ],
} as unknown as SuiteReport;

const outcome = { report, outDir: 'reports', files: [], reportersOk: true } as RunOutcome;

describe('dtf ci', () => {
  it('finds each failure, a vitest test with its file from the workspace and the line its error names', () => {
    expect(failures(report, '/ws')).toEqual([
      {
        title: 'unit 1/2: test/sum.test.ts > carries, 100%',
        message: report.tasks[0]!.cases[1]!.message,
        file: 'packages/app/test/sum.test.ts',
        line: 7,
      },
      { title: 'lint', message: 'task timed_out' },
    ]);
  });

  it('writes GitHub annotations with their properties and message escaped', () => {
    const [first, second] = githubAnnotations({
      outcome,
      env: { GITHUB_WORKSPACE: '/ws' },
      cwd: '/',
    });
    expect(first).toBe(
      '::error file=packages/app/test/sum.test.ts,line=7,title=unit 1/2%3A test/sum.test.ts > carries%2C 100%25::AssertionError: expected 3 to be 4%0A ❯ test/sum.test.ts:7:21%0A    at /ws/packages/app/test/sum.test.ts:7:21',
    );
    expect(second).toBe('::error title=lint::task timed_out');
  });

  it('takes the provider the environment names, or the one given, and names a wrong one', () => {
    expect(ciProvider(undefined, { GITHUB_ACTIONS: 'true' }).name).toBe('github');
    expect(ciProvider(undefined, { GITLAB_CI: 'true' }).name).toBe('gitlab');
    expect(ciProvider(undefined, { JENKINS_URL: 'http://j/' }).name).toBe('jenkins');
    expect(ciProvider(undefined, { TF_BUILD: 'True' }).name).toBe('azure');
    expect(ciProvider('azure', { GITHUB_ACTIONS: 'true' }).name).toBe('azure');
    expect(() => ciProvider('travis', {})).toThrow(
      "unknown CI provider 'travis' (known: github, gitlab, jenkins, azure)",
    );
    expect(() => ciProvider(undefined, {})).toThrow(
      'no CI system found in the environment (none of GITHUB_ACTIONS, GITLAB_CI, JENKINS_URL, TF_BUILD is set)',
    );
  });
});

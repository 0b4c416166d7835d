import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { ciMeta, gitMeta, runMeta } from '../../../../cli/run/run-meta.js';
import { removeTempDirs, tempDir } from '../../../support/temp-dir.js';

afterEach(removeTempDirs);

describe('run metadata', () => {
  it('takes the commit, branch and build from each CI system', () => {
    expect(
      ciMeta({
        GITHUB_ACTIONS: 'true',
        GITHUB_SHA: 'a1',
        GITHUB_HEAD_REF: '',
        GITHUB_REF_NAME: 'main',
        GITHUB_RUN_ID: '9',
      }),
    ).toEqual({ commit: 'a1', branch: 'main', build: '9' });
    expect(
      ciMeta({
        GITHUB_ACTIONS: 'true',
        GITHUB_SHA: 'a1',
        GITHUB_HEAD_REF: 'feature',
        GITHUB_REF_NAME: '7/merge',
      }),
    ).toEqual({ commit: 'a1', branch: 'feature' });
    expect(
      ciMeta({
        GITLAB_CI: 'true',
        CI_COMMIT_SHA: 'b2',
        CI_COMMIT_REF_NAME: 'dev',
        CI_PIPELINE_ID: '3',
      }),
    ).toEqual({ commit: 'b2', branch: 'dev', build: '3' });
    expect(ciMeta({ JENKINS_URL: 'http://j', GIT_COMMIT: 'c3', BUILD_URL: 'http://j/1' })).toEqual({
      commit: 'c3',
      build: 'http://j/1',
    });
    expect(ciMeta({ TF_BUILD: 'True', BUILD_SOURCEVERSION: 'd4', BUILD_BUILDID: '5' })).toEqual({
      commit: 'd4',
      build: '5',
    });
    expect(ciMeta({ CI: 'true' })).toEqual({});
  });

  it("reads the checkout's commit and branch, and nothing outside a checkout", async () => {
    const dir = tempDir();
    expect(await gitMeta(dir)).toEqual({});
    const git = (...args: string[]) =>
      execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8' }).trim();
    git('init', '-q', '-b', 'trunk');
    git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '--allow-empty', '-m', 'one');
    expect(await gitMeta(dir)).toEqual({ commit: git('rev-parse', 'HEAD'), branch: 'trunk' });
    git('checkout', '-q', '--detach');
    expect(await gitMeta(dir)).toEqual({ commit: git('rev-parse', 'HEAD') });
  });

  it('lets --meta win over the CI system, and the CI system over git', async () => {
    const dir = tempDir();
    const meta = await runMeta(
      { branch: 'given', team: 'ml' },
      { GITLAB_CI: 'true', CI_COMMIT_SHA: 'b2', CI_COMMIT_REF_NAME: 'ci' },
      dir,
    );
    expect(meta).toEqual({ commit: 'b2', branch: 'given', team: 'ml' });
  });
});

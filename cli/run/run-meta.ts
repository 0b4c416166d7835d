import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { RunMeta } from '../../protocol/index.js';

const run = promisify(execFile);

/** Where each CI system puts the commit, the branch and the build (its id or URL). */
const CI_VARIABLES: ReadonlyArray<{
  when: string;
  commit: string;
  branch: string[];
  build: string;
}> = [
  {
    when: 'GITHUB_ACTIONS',
    commit: 'GITHUB_SHA',
    branch: ['GITHUB_HEAD_REF', 'GITHUB_REF_NAME'],
    build: 'GITHUB_RUN_ID',
  },
  {
    when: 'GITLAB_CI',
    commit: 'CI_COMMIT_SHA',
    branch: ['CI_COMMIT_REF_NAME'],
    build: 'CI_PIPELINE_ID',
  },
  { when: 'JENKINS_URL', commit: 'GIT_COMMIT', branch: ['GIT_BRANCH'], build: 'BUILD_URL' },
  {
    when: 'TF_BUILD',
    commit: 'BUILD_SOURCEVERSION',
    branch: ['BUILD_SOURCEBRANCHNAME'],
    build: 'BUILD_BUILDID',
  },
];

/** The commit, branch and build the CI system running this process names, if one does. */
export function ciMeta(env: NodeJS.ProcessEnv): RunMeta {
  const ci = CI_VARIABLES.find((entry) => env[entry.when] !== undefined);
  if (ci === undefined) return {};
  const meta: RunMeta = {};
  const commit = env[ci.commit];
  const branch = ci.branch
    .map((name) => env[name])
    .find((value) => value !== undefined && value !== '');
  const build = env[ci.build];
  if (commit) meta.commit = commit;
  if (branch) meta.branch = branch;
  if (build) meta.build = build;
  return meta;
}

async function git(dir: string, ...args: string[]): Promise<string | undefined> {
  try {
    const { stdout } = await run('git', ['-C', dir, ...args], { timeout: 5_000 });
    const text = stdout.trim();
    return text === '' ? undefined : text;
  } catch {
    return undefined; // not a git checkout, or no git: the run has no commit
  }
}

/** The checkout's commit and branch (none on a detached head), if `dir` is in one. */
export async function gitMeta(dir: string): Promise<RunMeta> {
  const commit = await git(dir, 'rev-parse', 'HEAD');
  if (commit === undefined) return {};
  const branch = await git(dir, 'rev-parse', '--abbrev-ref', 'HEAD');
  return branch === undefined || branch === 'HEAD' ? { commit } : { commit, branch };
}

/**
 * A run's metadata: what `--meta` gives wins over what the CI system says, which wins over
 * what git says of the suite's checkout.
 */
export async function runMeta(
  given: RunMeta,
  env: NodeJS.ProcessEnv,
  suiteDir: string,
): Promise<RunMeta> {
  const found: RunMeta = { ...(await gitMeta(suiteDir)), ...ciMeta(env) };
  // The store keeps values of up to 256 characters; a longer branch name is cut.
  for (const [key, value] of Object.entries(found)) found[key] = value.slice(0, 256);
  return { ...found, ...given };
}

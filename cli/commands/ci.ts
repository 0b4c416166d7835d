import type { Command } from 'commander';
import { describeError } from '../../client/index.js';
import { ciProvider } from '../ci/providers.js';
import { printLine, printStatus } from '../output.js';
import { toMarkdown } from '../report/markdown.js';
import type { RunOptions } from '../run/config-options.js';
import { settle, withRunOptions } from './run.js';

interface CiOptions extends RunOptions {
  provider?: string;
  commentToken?: string;
}

/** Where each provider's token for comments is, when `--comment-token` is not given. */
const TOKEN_VARIABLES: Readonly<Record<string, string>> = {
  github: 'GITHUB_TOKEN',
  gitlab: 'GITLAB_TOKEN',
};

export function registerCiCommand(program: Command): void {
  withRunOptions(
    program
      .command('ci')
      .description(
        'dtf run in a CI job, then what the CI system expects: annotations on failing lines, a job summary, a pull or merge request comment updated on each push (with a token), a JUnit report; exits 1 when a test failed',
      ),
  )
    .option(
      '--provider <name>',
      'github, gitlab, jenkins or azure (default: the one the environment says runs the job)',
    )
    .option(
      '--comment-token <token>',
      'API token to comment on the pull or merge request with (default: GITHUB_TOKEN on GitHub, GITLAB_TOKEN on GitLab; none: no comment)',
    )
    .action(async (file: string | undefined, flags: CiOptions, command: Command) => {
      const env = process.env;
      // Before anything runs: a typo in the provider is known at once.
      const provider = ciProvider(flags.provider, env);
      const { runSuite } = await import('../run/run-suite.js');
      const outcome = await runSuite(file, flags, command, ['junit']);
      const variable = TOKEN_VARIABLES[provider.name];
      const token = flags.commentToken ?? (variable === undefined ? undefined : env[variable]);
      try {
        await provider.publish({
          outcome,
          env,
          cwd: process.cwd(),
          markdown: toMarkdown(outcome.report),
          junitFile: outcome.files.find((f) => f.endsWith('.junit.xml')),
          token: token === '' ? undefined : token,
          print: printLine,
        });
      } catch (error) {
        // The tests' verdict stands: a comment a fork's token may not post fails no job.
        printStatus(`dtf ci: ${provider.name}: ${describeError(error)}`);
      }
      settle(outcome);
    });
}

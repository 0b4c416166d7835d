import { Command, Option } from 'commander';
import { registerAuditCommand } from './commands/audit.js';
import { registerBrowsersCommand } from './commands/browsers.js';
import { registerCancelCommand } from './commands/cancel.js';
import { registerCertsCommand } from './commands/certs.js';
import { registerCiCommand } from './commands/ci.js';
import { registerCoordinatorCommand } from './commands/coordinator.js';
import { registerDrainCommand } from './commands/drain.js';
import { registerFlakyCommand } from './commands/flaky.js';
import { registerInitCommand } from './commands/init.js';
import { registerKeysCommand } from './commands/keys.js';
import { registerMergeReportsCommand } from './commands/merge-reports.js';
import { registerPoolCommand } from './commands/pool.js';
import { registerRunCommand } from './commands/run.js';
import { registerRunsCommands } from './commands/runs.js';
import { registerSchemaCommand } from './commands/schema.js';
import { registerShardCommand } from './commands/shard.js';
import { registerStatusCommand } from './commands/status.js';
import { registerSubmitCommand } from './commands/submit.js';
import { registerTasksCommand } from './commands/tasks.js';
import { registerTrendsCommand } from './commands/trends.js';
import { registerWaitCommand } from './commands/wait.js';
import { registerWebhooksCommand } from './commands/webhooks.js';
import { registerWorkerCommand } from './commands/worker.js';
import { registerWorkersCommand } from './commands/workers.js';
import { collectCoordinatorUrls, DEFAULT_COORDINATOR_URL } from './options/coordinator-urls.js';
import { packageVersion } from './package-version.js';
import { trustCaFile } from './tls-trust.js';

/** The `dtf` command with every subcommand; it throws instead of exiting. */
export function buildProgram(): Command {
  const program = new Command('dtf')
    .description('DTF: distributed test orchestration for ML code in browsers and Node')
    .version(packageVersion(), '-V, --version', 'print the version of dtf')
    .addOption(
      new Option(
        '--coordinator <url>',
        `coordinator URL, ws(s):// or http(s)://; repeat or comma-separate for several (default: ${DEFAULT_COORDINATOR_URL})`,
      )
        .env('DTF_COORDINATOR')
        .argParser(collectCoordinatorUrls),
    )
    .addOption(new Option('--token <token>', 'API key or worker join token').env('DTF_TOKEN'))
    .addOption(
      new Option(
        '--ca <file>',
        "the CA certificate (PEM) that signed a TLS coordinator's certificate, trusted beside the system's",
      ).env('DTF_CA'),
    )
    .hook('preAction', (command) => {
      const { ca } = command.opts<{ ca?: string }>();
      if (ca !== undefined) trustCaFile(ca);
    })
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'dtf: ')) })
    .showHelpAfterError('(dtf --help shows usage)');
  // Subcommands made with program.command() inherit exitOverride and the output settings.
  registerCoordinatorCommand(program);
  registerWorkerCommand(program);
  registerPoolCommand(program);
  registerSubmitCommand(program);
  registerInitCommand(program);
  registerRunCommand(program);
  registerCiCommand(program);
  registerMergeReportsCommand(program);
  registerRunsCommands(program);
  registerTrendsCommand(program);
  registerFlakyCommand(program);
  registerWebhooksCommand(program);
  registerKeysCommand(program);
  registerAuditCommand(program);
  registerCertsCommand(program);
  registerStatusCommand(program);
  registerTasksCommand(program);
  registerWorkersCommand(program);
  registerWaitCommand(program);
  registerCancelCommand(program);
  registerDrainCommand(program);
  registerSchemaCommand(program);
  registerShardCommand(program);
  registerBrowsersCommand(program);
  return program;
}

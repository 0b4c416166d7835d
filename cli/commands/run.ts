import type { Command } from 'commander';
import { DtfClient } from '../../client/index.js';
import { type CoordinatorAccess, coordinatorAccess } from '../connection.js';
import { waitWithProgress } from '../follow-tasks.js';
import { createLogger } from '../logger.js';
import { positiveInteger } from '../options/integers.js';
import { printLine } from '../output.js';
import { buildSuiteReport } from '../report/suite-report.js';
import { formatSuiteTable } from '../report/suite-table.js';
import { writeReports } from '../report/write-reports.js';
import { type EmbeddedCluster, startEmbeddedCluster } from '../run/embedded-cluster.js';
import { loadSuite } from '../run/load-suite.js';
import { newGroupId } from '../specs/group-id.js';

interface RunOptions {
  out: string;
  slots?: number;
}

function status(text: string): void {
  process.stderr.write(`${text}\n`);
}

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description(
      'run a suite file and report each task; without --coordinator, starts its own coordinator and Node worker',
    )
    .argument('<suite>', 'suite JSON file: { "name": ..., "tasks": [task specs] }')
    .option('--out <dir>', 'directory for the JSON and JUnit XML reports', 'reports')
    .option(
      '--slots <n>',
      'task slots of the embedded Node worker (default: CPU count)',
      positiveInteger,
    )
    .action(async (file: string, options: RunOptions, command: Command) => {
      const suite = await loadSuite(file);
      const given = command.optsWithGlobals<{ coordinator?: string[] }>().coordinator !== undefined;
      let cluster: EmbeddedCluster | undefined;
      let access: CoordinatorAccess;
      if (given) {
        access = coordinatorAccess(command);
      } else {
        status('starting a coordinator and a Node worker in this process…');
        cluster = await startEmbeddedCluster(createLogger('warn'), options.slots);
        access = cluster.access;
      }
      try {
        const client = await DtfClient.connect(access);
        try {
          const group = newGroupId();
          const startedAt = new Date();
          status(`running suite '${suite.name}': ${suite.tasks.length} task(s) in group ${group}`);
          await client.submit(suite.tasks.map((task) => ({ ...task, group })));
          await waitWithProgress(client, { group });
          const tasks = await client.query({ group, limit: 10_000 });
          const report = buildSuiteReport(
            suite.name,
            group,
            startedAt,
            Date.now() - startedAt.getTime(),
            tasks,
          );
          printLine(formatSuiteTable(report));
          const files = await writeReports(report, options.out);
          status(`reports: ${files.join(', ')}`);
          if (!report.passed) process.exitCode = 1;
        } finally {
          await client.close();
        }
      } finally {
        await cluster?.stop();
      }
    });
}

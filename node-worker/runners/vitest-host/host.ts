import { pathToFileURL } from 'node:url';
import { type FromHost, HostStart, ToHost } from './messages.js';

/**
 * A warm vitest: started by a Node worker in a project's directory (see warm-vitests.ts), it
 * keeps one vitest (its Vite server, config and plugins) between the worker's tasks, and runs
 * each task's files as `vitest run` would, reporting through the reporters the worker gave.
 * Before each run after the first it drops what the last run left: every transformed module,
 * the cached test file list and the pools (the type checker's included, which would otherwise
 * return the last run's tsc result).
 *
 * It uses the parts of vitest's Node API below, and two of its internals (`pool` and a project's
 * `typechecker`); the worker starts one only for the vitest major version it was built against.
 */

interface ModuleGraph {
  invalidateAll(): void;
}

interface Project {
  config: { globalSetup?: string | readonly string[] };
  vite: { environments: Record<string, { moduleGraph: ModuleGraph }> };
  typechecker?: unknown;
}

interface Vitest {
  projects: Project[];
  vite: { config: { configFile?: string; configFileDependencies?: string[] } };
  pool?: { close?(): Promise<void> };
  start(filters: string[]): Promise<unknown>;
  setGlobalTestNamePattern(pattern: string): void;
  resetGlobalTestNamePattern(): void;
  clearSpecificationsCache(): void;
  close(): Promise<void>;
  logger: { printError(error: unknown, options: object): void };
  config: { outputFile?: string | Record<string, string> };
}

interface VitestNode {
  createVitest(mode: 'test', options: Record<string, unknown>): Promise<Vitest>;
  parseCLI(argv: string[]): { options: Record<string, unknown> };
}

function send(message: FromHost): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

function isVitestNode(value: unknown): value is VitestNode {
  const api = value as Partial<VitestNode> | null;
  return typeof api?.createVitest === 'function' && typeof api.parseCLI === 'function';
}

function hasGlobalSetup(project: Project): boolean {
  const setup = project.config.globalSetup;
  return typeof setup === 'string' ? setup !== '' : (setup?.length ?? 0) > 0;
}

/** Forgets what the last run cached, so this run sees the files as they are now. */
async function forgetLastRun(vitest: Vitest): Promise<void> {
  for (const project of vitest.projects) {
    for (const environment of Object.values(project.vite.environments)) {
      environment.moduleGraph.invalidateAll();
    }
    project.typechecker = undefined;
  }
  vitest.clearSpecificationsCache();
  await vitest.pool?.close?.();
  vitest.pool = undefined;
}

async function runOnce(
  vitest: Vitest,
  run: Extract<ToHost, { type: 'run' }>,
  first: boolean,
): Promise<number> {
  if (!first) await forgetLastRun(vitest);
  process.env.DTF_VITEST_DURATIONS = run.durationsFile;
  const { outputFile } = vitest.config;
  vitest.config.outputFile = {
    ...(typeof outputFile === 'object' ? outputFile : {}),
    json: run.reportFile,
  };
  if (run.testNamePattern === undefined) vitest.resetGlobalTestNamePattern();
  else vitest.setGlobalTestNamePattern(run.testNamePattern);
  process.exitCode = 0;
  try {
    await vitest.start(run.files);
  } catch (error) {
    // As `vitest run` does: no test file found is said by the reporters, with exit code 1.
    if ((error as { code?: unknown }).code !== 'VITEST_FILES_NOT_FOUND') {
      vitest.logger.printError(error, { fullStack: true, type: 'Unhandled Error' });
    }
    process.exitCode = 1;
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return Number.isInteger(code) ? code : 1;
}

async function main(): Promise<void> {
  const start = HostStart.parse(JSON.parse(process.argv[2] ?? ''));
  const api: unknown = await import(pathToFileURL(start.vitestNode).href);
  if (!isVitestNode(api)) {
    await send({ type: 'unsupported', reason: `${start.vitestNode} has no createVitest/parseCLI` });
    return;
  }
  const { options } = api.parseCLI(['vitest', 'run', ...start.args]);
  const vitest = await api.createVitest('test', { ...options, watch: false });
  // Global set-up runs once per vitest: a warm one would run it once for many tasks.
  if (vitest.projects.some(hasGlobalSetup)) {
    await send({ type: 'unsupported', reason: 'the project has a globalSetup' });
    await vitest.close();
    return;
  }
  const { configFile, configFileDependencies = [] } = vitest.vite.config;
  const configFiles = [...new Set([configFile, ...configFileDependencies])];
  await send({ type: 'ready', configFiles: configFiles.filter((f) => f !== undefined) });

  let first = true;
  let queue = Promise.resolve();
  process.on('message', (raw) => {
    const parsed = ToHost.safeParse(raw);
    if (!parsed.success) return;
    const message = parsed.data;
    queue = queue.then(async () => {
      if (message.type === 'close') {
        await vitest.close();
        process.exit(0);
      }
      const exitCode = await runOnce(vitest, message, first);
      first = false;
      await send({ type: 'done', exitCode });
    });
  });
  // The worker gone, nothing is left to run for.
  process.on('disconnect', () => process.exit(0));
}

main().catch((error: unknown) => {
  process.stderr.write(`warm vitest failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});

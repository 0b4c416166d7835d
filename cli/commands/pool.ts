import { type Command, InvalidArgumentError, Option } from 'commander';
import {
  addBrowserCount,
  type BrowserCount,
  DRIVER_NAMES,
  type DriverName,
  describePoolEvent,
  ensureBrowsers,
  parseBrowserCount,
  startPool,
} from '../../browser-worker/pool/index.js';
import { describeError, workerPageUrl } from '../../client/index.js';
import { coordinatorAccess } from '../connection.js';
import { createLogger } from '../logger.js';
import { positiveInteger } from '../options/integers.js';
import { printLine, printStatus } from '../output.js';
import { stopOnSignal } from '../stop-on-signal.js';
import { workerLostReporter } from '../worker-lost-reporter.js';

interface PoolCommandOptions {
  browser?: BrowserCount[];
  driver: DriverName;
  connect?: string[];
  recycleAfter?: number;
  maxRssMb?: number;
  softwareWebgpu?: boolean;
}

/** A commander parser for a repeatable `--browser name=count`. */
export function collectBrowserCount(
  text: string,
  previous: BrowserCount[] | undefined,
): BrowserCount[] {
  try {
    return addBrowserCount(previous ?? [], parseBrowserCount(text));
  } catch (error) {
    throw new InvalidArgumentError(describeError(error));
  }
}

function collectEndpoint(text: string, previous: string[] | undefined): string[] {
  if (!/^wss?:\/\//.test(text)) {
    throw new InvalidArgumentError(`'${text}' is not a WebSocket endpoint (ws://... or wss://...)`);
  }
  return [...(previous ?? []), text];
}

/** `chromium×2, firefox×1, remote×1` */
function poolSummary(browsers: readonly BrowserCount[], remotes: number): string {
  const parts = browsers.map(({ name, count }) => `${name}×${count}`);
  if (remotes > 0) parts.push(`remote×${remotes}`);
  return parts.join(', ');
}

export function registerPoolCommand(program: Command): void {
  program
    .command('pool')
    .description('launch headless browsers that work for the coordinator, and keep them healthy')
    .option(
      '--browser <name=count>',
      'browsers to launch, chromium or firefox (repeatable; default: chromium=1)',
      collectBrowserCount,
    )
    .addOption(
      new Option(
        '--driver <driver>',
        'automation library for Chromium (Firefox always uses puppeteer)',
      )
        .choices(DRIVER_NAMES)
        .default('puppeteer'),
    )
    .option(
      '--connect <ws-url>',
      'also use a running Chromium by its CDP endpoint (repeatable)',
      collectEndpoint,
    )
    .option('--recycle-after <tasks>', 'relaunch a browser after this many tasks', positiveInteger)
    .option(
      '--max-rss-mb <mb>',
      'relaunch an idle browser using more memory than this',
      positiveInteger,
    )
    .option(
      '--software-webgpu',
      "force Chromium's WebGPU on SwiftShader (default: when no GPU is found)",
    )
    .option('--no-software-webgpu', 'never use SwiftShader for WebGPU')
    .action(async (options: PoolCommandOptions, command: Command) => {
      const access = coordinatorAccess(command);
      const connect = options.connect ?? [];
      const browsers =
        options.browser ?? (connect.length > 0 ? [] : [{ name: 'chromium', count: 1 }]);
      const executables = await ensureBrowsers(
        browsers.map((entry) => entry.name),
        (line) => printStatus(`apt: ${line}`),
      );
      for (const found of executables) {
        printStatus(`using ${found.product} ${found.version} (${found.executablePath})`);
      }
      const logger = createLogger('warn');
      // A follower answers its page with a redirect to the leader's; the page follows leaders.
      const [pageUrl, ...otherPageUrls] = access.urls.map((url) =>
        workerPageUrl(url, access.token, access.urls),
      );
      const running = await startPool({
        workerPageUrl: pageUrl!,
        otherPageUrls,
        browsers,
        driver: options.driver,
        connect,
        recycleAfterTasks: options.recycleAfter,
        maxRssMb: options.maxRssMb,
        softwareWebGpu: options.softwareWebgpu,
        executables,
        logger,
        onProgress: (event) => printStatus(describePoolEvent(event)),
        onWorkerLost: workerLostReporter(access.urls, access.token, logger),
      });
      stopOnSignal(() => running.stop(), logger);
      try {
        await running.ready;
      } catch (error) {
        await running.stop();
        throw error;
      }
      printLine(`DTF pool ready: ${poolSummary(browsers, connect.length)}`);
      // A refused worker token ends the pool, with the problem, whenever it comes.
      const failure = await running.failure;
      await running.stop();
      throw failure;
    });
}

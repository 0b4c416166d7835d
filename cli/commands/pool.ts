import { type Command, InvalidArgumentError, Option } from 'commander';
import {
  type AutoscaleOptions,
  addBrowserCount,
  type BrowserCount,
  DEFAULT_BROWSER_MB,
  DEFAULT_SCALE_DOWN_AFTER_MS,
  DRIVER_NAMES,
  type DriverName,
  describePoolEvent,
  ensureBrowsers,
  parseBrowserCount,
  startPool,
} from '../../browser-worker/pool/index.js';
import { describeError, workerPageUrl } from '../../client/index.js';
import { type CoordinatorAccess, coordinatorAccess } from '../connection.js';
import { createLogger } from '../logger.js';
import { durationMs } from '../options/duration.js';
import { integerIn, positiveInteger } from '../options/integers.js';
import { printLine, printStatus } from '../output.js';
import { queueDepth } from '../queue-depth.js';
import { stopOnSignal } from '../stop-on-signal.js';
import { UsageError } from '../usage-error.js';
import { workerLostReporter } from '../worker-lost-reporter.js';

interface PoolCommandOptions {
  browser?: BrowserCount[];
  min?: number;
  max?: number;
  scaleDownAfter: number;
  browserMb: number;
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

/** The autoscaling `--min` and `--max` ask for, checked; undefined without them. */
function autoscaleOf(
  options: PoolCommandOptions,
  connect: readonly string[],
  access: CoordinatorAccess,
): AutoscaleOptions | undefined {
  if (options.min === undefined && options.max === undefined) return undefined;
  if (options.min === undefined || options.max === undefined) {
    throw new UsageError('--min and --max go together: the pool autoscales between them');
  }
  if (options.min > options.max) {
    throw new UsageError(`--min ${options.min} is more than --max ${options.max}`);
  }
  const names = [...new Set((options.browser ?? []).map((entry) => entry.name))];
  if (names.length > 1 || connect.length > 0) {
    throw new UsageError(
      'an autoscaled pool runs one kind of browser (one --browser name), launched by itself',
    );
  }
  const browser = names[0] ?? 'chromium';
  return {
    browser,
    min: options.min,
    max: options.max,
    scaleDownAfterMs: options.scaleDownAfter,
    browserMb: options.browserMb,
    queued: queueDepth(access, { browser }),
  };
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
    .option(
      '--min <n>',
      'autoscale: never fewer browsers than this (with --max; one --browser name, its count ignored)',
      integerIn(0, 64),
    )
    .option(
      '--max <n>',
      'autoscale: a browser for each queued task it can take, up to this many, as far as the memory allows',
      integerIn(1, 64),
    )
    .option(
      '--scale-down-after <duration>',
      'autoscale: close idle browsers above --min once the queue has been empty this long',
      durationMs,
      DEFAULT_SCALE_DOWN_AFTER_MS,
    )
    .option(
      '--browser-mb <mb>',
      'autoscale: the memory one more browser is taken to need; none is added without it free',
      positiveInteger,
      DEFAULT_BROWSER_MB,
    )
    .action(async (options: PoolCommandOptions, command: Command) => {
      const access = coordinatorAccess(command);
      const connect = options.connect ?? [];
      const scaling = autoscaleOf(options, connect, access);
      const browsers =
        scaling !== undefined
          ? [{ name: scaling.browser, count: scaling.min }]
          : (options.browser ?? (connect.length > 0 ? [] : [{ name: 'chromium', count: 1 }]));
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
        ...(scaling === undefined ? {} : { autoscale: scaling }),
      });
      stopOnSignal(() => running.stop(), logger);
      try {
        await running.ready;
      } catch (error) {
        await running.stop();
        throw error;
      }
      const scaled = scaling === undefined ? '' : ` (autoscaling ${scaling.min}–${scaling.max})`;
      printLine(`DTF pool ready: ${poolSummary(browsers, connect.length)}${scaled}`);
      // A refused worker token ends the pool, with the problem, whenever it comes.
      const failure = await running.failure;
      await running.stop();
      throw failure;
    });
}

import type { Command } from 'commander';
import { BROWSER_NAMES, ensureBrowsers, findBrowsers } from '../../browser-worker/pool/index.js';
import { formatTable } from '../format/table.js';
import { printLine, printStatus } from '../output.js';

/** `dtf browsers`: which browsers DTF finds here; `--install` fetches missing ones where it may. */
export function registerBrowsersCommand(program: Command): void {
  program
    .command('browsers')
    .description(
      'list the browsers DTF can run; --install installs missing ones (apt-get, as root)',
    )
    .option(
      '--install',
      `make sure ${BROWSER_NAMES.join(' and ')} are present, installing them if needed`,
    )
    .action(async (options: { install?: boolean }) => {
      const found =
        options.install === true
          ? await ensureBrowsers(BROWSER_NAMES, (line) => printStatus(`apt: ${line}`))
          : await findBrowsers();
      if (found.length === 0) {
        printLine('no browser found; `dtf browsers --install` installs Chromium and Firefox ESR');
        return;
      }
      printLine(
        formatTable([
          ['BROWSER', 'VERSION', 'EXECUTABLE'],
          ...found.map((b) => [b.name, `${b.product} ${b.version}`, b.executablePath]),
        ]),
      );
    });
}

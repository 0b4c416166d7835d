import { describeError } from '../../client/index.js';
import type { DtfPlugin, RunStart } from '../../plugins/index.js';
import type { TaskEvent } from '../../protocol/index.js';
import { printStatus } from '../output.js';
import type { SuiteReport } from '../report/suite-report.js';

/**
 * Calls the plugins' lifecycle hooks as a run goes. A hook that throws is named on stderr and
 * the others still run; `ended` says whether every hook succeeded, once all have settled.
 */
export class RunLifecycle {
  private readonly pending = new Set<Promise<void>>();
  private ok = true;

  constructor(private readonly plugins: readonly DtfPlugin[]) {}

  runStart(run: RunStart): Promise<void> {
    return this.each('onRunStart', (plugin) => plugin.onRunStart?.(run));
  }

  /** Not awaited by the run as it follows its tasks: `runEnd` waits for these. */
  taskEnd(event: TaskEvent): void {
    const call = this.each('onTaskEnd', (plugin) => plugin.onTaskEnd?.(event));
    this.pending.add(call);
    call.finally(() => this.pending.delete(call));
  }

  /** After every `onTaskEnd`; true if every hook of the run succeeded. */
  async runEnd(report: SuiteReport): Promise<boolean> {
    await Promise.all(this.pending);
    await this.each('onRunEnd', (plugin) => plugin.onRunEnd?.(report));
    return this.ok;
  }

  private async each(
    hook: string,
    call: (plugin: DtfPlugin) => void | Promise<void> | undefined,
  ): Promise<void> {
    for (const plugin of this.plugins) {
      try {
        await call(plugin);
      } catch (error) {
        this.ok = false;
        printStatus(`plugin ${plugin.name}: ${hook} failed: ${describeError(error)}`);
      }
    }
  }
}

export type { Reporter, ReporterContext } from '../cli/report/reporters/reporter.js';
export type { SuiteReport } from '../cli/report/suite-report.js';
export type {
  PluginRunContext,
  PluginRunner,
  PluginRunResult,
  PluginTest,
} from '../worker-core/index.js';
export {
  type DtfConfigInput,
  type DtfPlugin,
  defineConfig,
  definePlugin,
  type RunStart,
  type SchedulerHooks,
  type SchedulingTask,
  type SchedulingWorker,
} from './plugin.js';

export { BUILTIN_REPORTERS, DEFAULT_REPORTERS } from './builtin.js';
export type { Reporter, ReporterContext } from './reporter.js';
export { resolveReporters } from './resolve.js';
export { runReporters } from './run-reporters.js';

// The sample project's own vitest settings; without this file vitest would pick up the
// configuration of the DTF repository around it.
export default { test: { include: ['test/**/*.test.js'] } };

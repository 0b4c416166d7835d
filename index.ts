/**
 * The `dtf` package: the client SDK, the wire contract it speaks (types and zod schemas), the
 * tensor helpers that make and compare model inputs and outputs as the workers do, and the
 * config and plugin API (`defineConfig`, `definePlugin`).
 */
export * from './client/index.js';
export * from './plugins/index.js';
export * from './protocol/index.js';
export * from './tensors/index.js';

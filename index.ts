/**
 * The `dtf` package: the client SDK, the wire contract it speaks (types and zod schemas), and
 * the tensor helpers that make and compare model inputs and outputs as the workers do.
 */
export * from './client/index.js';
export * from './protocol/index.js';
export * from './tensors/index.js';

/** The `dtf` package: the client SDK and the wire contract it speaks (types and zod schemas). */
export * from './client/index.js';
export * from './protocol/index.js';

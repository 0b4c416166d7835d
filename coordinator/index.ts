export { apiReference } from './api-reference.js';
export { CREDENTIALS_FILE } from './auth/index.js';
export type { CoordinatorOptions, RunningCoordinator } from './coordinator.js';
export { startCoordinator } from './coordinator.js';
export * from './defaults.js';
export { ROUTES } from './http/index.js';

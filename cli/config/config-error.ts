import { UsageError } from '../usage-error.js';

/** A config that cannot be used as written; exits with status 2 like any bad command line. */
export class ConfigError extends UsageError {}

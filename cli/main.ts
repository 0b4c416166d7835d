#!/usr/bin/env node
import { isDebugLogging } from './logger.js';
import { buildProgram } from './program.js';
import { reportFailure } from './report-failure.js';

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  process.exitCode = reportFailure(error, isDebugLogging());
}

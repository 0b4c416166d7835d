#!/usr/bin/env node
import { exitQuietlyOnClosedOutput } from './closed-output.js';
import { isDebugLogging } from './logger.js';
import { buildProgram } from './program.js';
import { reportFailure } from './report-failure.js';

exitQuietlyOnClosedOutput();
try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  process.exitCode = reportFailure(error, isDebugLogging());
}

/**
 * When the reader of stdout or stderr goes away (`dtf schema | head`), ends the CLI quietly
 * with status 141, as a program that SIGPIPE kills would, instead of an EPIPE stack trace.
 */
export function exitQuietlyOnClosedOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      process.exit(141);
    });
  }
}

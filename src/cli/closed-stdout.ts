/**
 * A reader that goes away (`earshot stream … | head -2`) closes our stdout: the next write fails with
 * EPIPE, and an unhandled 'error' event would end the process with a stack trace. Unix tools end
 * quietly then: there is nobody left to read the output, and the reader's exit status is the pipeline's.
 */

/** Exit status used when stdout was closed by its reader: 0, as `yes | head -1` leaves the pipeline successful. */
export const CLOSED_STDOUT_EXIT = 0;

/**
 * End the process quietly when `stream` (default stdout) is closed by its reader (EPIPE); any other
 * write error is reported on stderr with exit status 74 (EX_IOERR).
 * @example
 * exitQuietlyOnClosedStdout(); // first thing in the CLI
 */
export function exitQuietlyOnClosedStdout(stream: NodeJS.WriteStream = process.stdout, exit: (code: number) => never = process.exit): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') exit(CLOSED_STDOUT_EXIT);
    process.stderr.write(`earshot: cannot write the output: ${e.message}\n`);
    exit(74);
  });
}

// The last line of defence of a server process. A request's own failures are answered where they happen; what
// still escapes (an unhandled rejection, an uncaught exception) leaves the process in a state nobody reasoned
// about, so it is logged with its stack and the process exits non-zero: the supervisor (./ragtime up) or
// Kubernetes starts a clean one, and the other replicas keep serving meanwhile.
interface FatalLogger {
  fatal(object: Record<string, unknown>, message: string): void;
}

export function exitOnUnhandledErrors(logger: FatalLogger): void {
  const fail = (kind: string) => (error: unknown) => {
    logger.fatal({ err: error, kind }, 'unhandled error; exiting so a clean process takes over');
    process.exitCode = 1;
    // Let the log line reach its destination, then go.
    setTimeout(() => process.exit(1), 100).unref();
  };
  process.on('uncaughtException', fail('uncaughtException'));
  process.on('unhandledRejection', fail('unhandledRejection'));
}

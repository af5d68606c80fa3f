// Start-up checks: a process whose dependency is missing stops at once with a message naming it (and its
// address without credentials), instead of serving requests that can only fail.

export class DependencyUnavailable extends Error {
  constructor(readonly dependency: string, address: string, cause: unknown) {
    super(`${dependency} is unreachable at ${address}: ${cause instanceof Error ? cause.message || cause.name : String(cause)}`);
    this.name = 'DependencyUnavailable';
  }
}

/** Runs `check` with a time limit; throws DependencyUnavailable naming the dependency when it fails. */
export async function requireDependency(dependency: string, address: string, check: () => Promise<unknown>, timeoutMs = 5_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs); }),
    ]);
  } catch (error) {
    throw new DependencyUnavailable(dependency, withoutCredentials(address), error);
  } finally {
    clearTimeout(timer);
  }
}

export function withoutCredentials(address: string): string {
  try {
    const url = new URL(address);
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return address;
  }
}

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { services } from './services.js';

const run = promisify(execFile);

/** Runs the real `temporal` CLI against the test server and parses its JSON output. */
export async function temporalCli(args: string[]): Promise<unknown> {
  const { stdout } = await run(services().temporalBinary, [...args, '--address', services().temporalAddress, '--output', 'json']);
  return stdout.trim() ? JSON.parse(stdout) : [];
}

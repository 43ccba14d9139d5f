import { spawnSync } from 'node:child_process';

/** Stops start-up when a required system binary is missing, naming the command that installs it. */
export function assertBinaries(binaries: string[]): void {
  for (const bin of binaries) {
    const result = spawnSync(bin, ['-version'], { stdio: 'ignore' });
    if (result.error || result.status !== 0) {
      process.stderr.write(`Missing system dependency: "${bin}" is not runnable. Install it with: npm run setup\n`);
      process.exit(69);
    }
  }
}

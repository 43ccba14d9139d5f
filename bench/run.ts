import { readdirSync } from 'node:fs';
import path from 'node:path';

/**
 * `npm run bench [name…]` runs every bench/*.bench.ts (or the named ones) in turn. Each prints
 * its figures as ratios against a baseline measured in the same run.
 */
async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.js'))
    .filter((f) => !wanted.length || wanted.some((w) => f.startsWith(w)))
    .sort();
  if (!files.length) throw new Error(`No benchmark matches ${wanted.join(', ')}`);
  for (const file of files) {
    process.stdout.write(`\n=== ${file.replace(/\.bench\.js$/, '')}\n`);
    const mod = (await import(path.join(__dirname, file))) as { run: () => Promise<void> };
    await mod.run();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

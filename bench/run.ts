import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { machine, renderSection, type BenchOptions, type Section } from './report';

/**
 * `npm run bench [-- [--quick] [name…]]` runs every bench/*.bench.ts (or the named ones) in turn
 * and writes bench/RESULTS.md: the machine, then each bench's rows as medians with their spread
 * and their ratio to a baseline measured in the same run. `--quick` runs the reduced set (the
 * benches exporting `quick = true`, at reduced sizes) in under 3 minutes.
 */
interface BenchModule {
  run: (opts: BenchOptions) => Promise<Section | Section[] | void>;
  /** Part of the --quick set. */
  quick?: boolean;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const quick = argv.includes('--quick');
  const wanted = argv.filter((a) => !a.startsWith('--'));
  const opts: BenchOptions = { quick, rounds: Number(process.env.BENCH_ROUNDS ?? (quick ? 3 : 5)) };
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.js'))
    .filter((f) => !wanted.length || wanted.some((w) => f.startsWith(w)))
    .sort();
  if (!files.length) throw new Error(`No benchmark matches ${wanted.join(', ')}`);
  const started = performance.now();
  const sections: string[] = [];
  for (const file of files) {
    const name = file.replace(/\.bench\.js$/, '');
    const mod = (await import(path.join(__dirname, file))) as BenchModule;
    if (quick && !mod.quick && !wanted.length) continue;
    process.stdout.write(`\n=== ${name}\n`);
    const t = performance.now();
    // Benches not yet reporting rows print their figures: those are kept verbatim.
    const printed: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      printed.push(String(chunk));
      return write(chunk, ...rest);
    }) as typeof process.stdout.write;
    let result: Section | Section[] | void;
    try {
      result = await mod.run(opts);
    } finally {
      process.stdout.write = write;
    }
    const took = ((performance.now() - t) / 1000).toFixed(0);
    if (result) for (const s of [result].flat()) {
      const text = renderSection(s);
      sections.push(`${text}\n_(${name}: ${took} s)_\n`);
      process.stdout.write(`${text}\n`);
    } else sections.push(`## ${name}\n\nReproduce: \`npm run bench -- ${name}\` (printed figures, ${took} s)\n\n\`\`\`\n${printed.join('').trim()}\n\`\`\`\n`);
  }
  const total = ((performance.now() - started) / 1000).toFixed(0);
  const doc = [
    '# Benchmark results',
    '',
    `Written by \`npm run bench${quick ? ' -- --quick' : ''}${wanted.length ? ` ${wanted.join(' ')}` : ''}\` on ${new Date().toISOString()} in ${total} s. Every figure is a median over interleaved rounds with its spread; each comparison is a ratio to a baseline measured in the same run on the same machine. Benchmarks are not tests: CI does not run them.`,
    '',
    '## Machine',
    '',
    machine(versions()),
    '',
    ...sections,
  ].join('\n');
  // BENCH_RESULTS: write elsewhere (a partial run that should not replace the committed report).
  const out = path.resolve(process.env.BENCH_RESULTS ?? path.resolve(__dirname, '../../bench/RESULTS.md'));
  writeFileSync(out, doc);
  process.stdout.write(`\nwrote ${out} (${total} s)\n`);
}

function versions(): Record<string, string> {
  // Some tools print their version on stderr (nginx).
  const first = (cmd: string, args: string[]) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    return r.error ? 'not installed' : `${r.stdout}${r.stderr}`.split('\n')[0].trim();
  };
  return {
    Node: process.version,
    ffmpeg: first('ffmpeg', ['-version']),
    MariaDB: first('mariadb', ['--version']),
    Redis: first('redis-server', ['--version']),
    nginx: first('nginx', ['-v']),
  };
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

import os from 'node:os';

/**
 * What every bench hands back: rows measured as medians over several rounds, each next to the
 * baseline measured in the same rounds (interleaved), so load from other processes on the
 * machine moves both alike and the ratio stays meaningful when absolute figures do not.
 */

export interface Row {
  case: string;
  /** Median and spread (min–max) of the rounds, already formatted with the unit. */
  median: string;
  spread: string;
  /** The baseline row's case, and median(candidate_i / baseline_i) over the rounds. */
  baseline?: string;
  ratio?: string;
  /** The goal this row checks and whether it holds. */
  goal?: string;
}

export interface Section {
  title: string;
  /** `npm run bench -- …` reproducing the section. */
  command: string;
  /** Free text before the table (what is compared, sizes). */
  setup: string;
  rows: Row[];
  /** Extra tables or lines (markdown) after the main one. */
  extra?: string;
  /** Where the time goes, and what would make it faster. */
  reading: string;
}

export interface BenchOptions {
  quick: boolean;
  /** Rounds each comparison is repeated (interleaved). */
  rounds: number;
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export const fmt = (n: number, digits = 0): string =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a';

/** `median unit` and `min–max` of the samples. */
export function summary(xs: readonly number[], unit: string, digits = 0): { median: string; spread: string } {
  return { median: `${fmt(median(xs), digits)} ${unit}`.trim(), spread: xs.length > 1 ? `${fmt(Math.min(...xs), digits)}–${fmt(Math.max(...xs), digits)}` : '(1 run)' };
}

/** Median of the per-round ratios, with their spread: `0.83× (0.80–0.86)`. */
export function ratioOf(candidate: readonly number[], baseline: readonly number[], digits = 2): string {
  const rs = candidate.map((c, i) => c / baseline[i]).filter(Number.isFinite);
  if (!rs.length) return 'n/a';
  const m = `${fmt(median(rs), digits)}×`;
  return rs.length > 1 ? `${m} (${fmt(Math.min(...rs), digits)}–${fmt(Math.max(...rs), digits)})` : m;
}

export const verdict = (ok: boolean, goal: string, miss = ''): string => `${ok ? '✅ met' : `❌ missed${miss ? ` ${miss}` : ''}`}: ${goal}`;

export function machine(versions: Record<string, string>): string {
  const cpus = os.cpus();
  return [
    `- CPU: ${cpus.length} × ${cpus[0]?.model ?? 'unknown'}; load average at start ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} (the machine is shared: absolute figures are noisy, ratios are the result)`,
    `- Memory: ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB; ${os.type()} ${os.release()}`,
    ...Object.entries(versions).map(([k, v]) => `- ${k}: ${v}`),
  ].join('\n');
}

export function renderSection(s: Section): string {
  const head = '| case | median | spread (min–max) | baseline | ratio to baseline | goal |\n|---|---|---|---|---|---|';
  const rows = s.rows.map((r) => `| ${r.case} | ${r.median} | ${r.spread} | ${r.baseline ?? '—'} | ${r.ratio ?? '—'} | ${r.goal ?? ''} |`);
  return [`## ${s.title}`, '', `Reproduce: \`${s.command}\``, '', s.setup, '', head, ...rows, '', s.extra ?? '', '', `**Reading.** ${s.reading}`, ''].join('\n');
}

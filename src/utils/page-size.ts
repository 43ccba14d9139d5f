import { badInput } from '../errors';

/** How many items a list request asks for: `first`, else the default; a clear error outside 0..max. */
export function pageSize(first: number | null | undefined, fallback = 20, max = 100): number {
  const n = first ?? fallback;
  if (!Number.isInteger(n) || n < 0 || n > max) throw badInput(`\`first\` must be between 0 and ${max}`, { field: 'first' });
  return n;
}

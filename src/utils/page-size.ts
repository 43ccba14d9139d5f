import { badInput } from '../errors';

/** The largest page any list argument (`first`) may ask for. */
export const MAX_PAGE_SIZE = 100;

/** How many items a list request asks for: `first`, else the default; a clear error outside 1..max. */
export function pageSize(first: number | null | undefined, fallback = 20, max = MAX_PAGE_SIZE): number {
  const n = first ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > max) throw badInput(`\`first\` must be between 1 and ${max}`, { field: 'first' });
  return n;
}

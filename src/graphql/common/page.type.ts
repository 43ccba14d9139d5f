import { Field, ObjectType } from 'type-graphql';
import { badInput } from '../../errors';
import { isVideoId } from '../../domain/video-id';

@ObjectType()
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

export interface Cursor {
  createdAt: Date;
  id: string;
}

/** Opaque keyset cursor: stable under inserts, unlike offsets. */
export function encodeCursor(c: Cursor): string {
  return Buffer.from(`${c.createdAt.toISOString()}|${c.id}`).toString('base64url');
}

export function decodeCursor(raw: string | null | undefined): Cursor | null {
  if (raw === null || raw === undefined || raw === '') return null;
  const [iso, id, extra] = Buffer.from(raw, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(iso ?? '');
  if (extra !== undefined || !id || !isVideoId(id) || Number.isNaN(createdAt.getTime())) {
    throw badInput('Invalid cursor', { field: 'after' });
  }
  return { createdAt, id };
}

export function pageSize(first: number | null | undefined, fallback = 20, max = 100): number {
  const n = first ?? fallback;
  if (!Number.isInteger(n) || n < 0 || n > max) throw badInput(`\`first\` must be between 0 and ${max}`, { field: 'first' });
  return n;
}

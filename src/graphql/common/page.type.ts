import { Field, ObjectType } from 'type-graphql';
import { badInput } from '../../errors';
import { parseVideoId } from '../../domain/video-id';

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
  const [iso, rawId, extra] = Buffer.from(raw, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(iso ?? '');
  const id = parseVideoId(rawId);
  if (extra !== undefined || !id || Number.isNaN(createdAt.getTime())) {
    throw badInput('Invalid cursor', { field: 'after' });
  }
  return { createdAt, id };
}

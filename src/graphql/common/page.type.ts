import { Field, ObjectType } from 'type-graphql';
import { badInput } from '../../errors';
import { parseVideoId } from '../../domain/video-id';
import { sortKey, VideoOrder, type KeysetAfter } from '../../domain/video-order';

@ObjectType()
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

/**
 * Opaque keyset cursor, stable under inserts unlike offsets: the order it was made for, the
 * row's sort key in that order (created_at or view_count) and its id.
 */
export function encodeCursor(order: VideoOrder, video: { createdAt: Date; viewCount: number; id: string }): string {
  const key = sortKey(order, video);
  return Buffer.from(`${order}|${key instanceof Date ? key.toISOString() : key}|${video.id}`).toString('base64url');
}

/** A cursor made for another order would skip or repeat rows: refused, like a malformed one. */
export function decodeCursor(raw: string | null | undefined, order: VideoOrder): KeysetAfter | null {
  if (raw === null || raw === undefined || raw === '') return null;
  const [kind, rawKey, rawId, extra] = Buffer.from(raw, 'base64url').toString('utf8').split('|');
  if (kind !== order && Object.values(VideoOrder).includes(kind as VideoOrder)) {
    throw badInput(`This cursor belongs to the ${kind} order, not ${order}`, { field: 'after' });
  }
  const key = order === VideoOrder.MOST_VIEWED ? (/^\d{1,15}$/.test(rawKey ?? '') ? Number(rawKey) : NaN) : new Date(rawKey ?? '');
  const id = parseVideoId(rawId);
  if (kind !== order || extra !== undefined || !id || Number.isNaN(key.valueOf())) {
    throw badInput('Invalid cursor', { field: 'after' });
  }
  return { key, id };
}

/** Orders of the public listing; each pages by a keyset of (sort key, id), so pages never overlap. */
export enum VideoOrder {
  NEWEST = 'NEWEST',
  MOST_VIEWED = 'MOST_VIEWED',
  OLDEST = 'OLDEST',
}

/** Where the next page starts: after the row with this sort key (created_at or view_count) and id. */
export interface KeysetAfter {
  key: Date | number;
  id: string;
}

/** The value a row is ordered by: what the cursor of an edge carries. */
export function sortKey(order: VideoOrder, video: { createdAt: Date; viewCount: number }): Date | number {
  return order === VideoOrder.MOST_VIEWED ? video.viewCount : video.createdAt;
}

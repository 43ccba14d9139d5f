import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import { pageSize } from '../common/page.type';
import type { WatchHistory } from '../../playback/watch-history';
import { canView } from '../../videos/video-access';
import { requireUser, type GraphQLContext } from '../context';
import { Video } from '../video/video.type';
import { WatchEntry } from './watch.type';

@Resolver()
export class WatchResolver {
  constructor(
    private readonly history: WatchHistory,
    private readonly max: number,
  ) {}

  @Query(() => [WatchEntry], {
    description: "The signed-in user's recently watched videos, newest first, with resume positions.",
    complexity: ({ args, childComplexity }) => ((args.first as number | undefined) ?? 20) * childComplexity,
  })
  async continueWatching(
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<WatchEntry[]> {
    const user = requireUser(ctx);
    const n = pageSize(first, Math.min(20, this.max), this.max);
    if (n === 0) return [];
    const watched = await this.history.recent(user.id, n);
    const videos = await ctx.loaders.video.loadMany(watched.map((w) => w.videoId));
    const entries: WatchEntry[] = [];
    const deleted: string[] = [];
    watched.forEach((w, i) => {
      const v = videos[i];
      if (v instanceof Error) throw v;
      if (!v) deleted.push(w.videoId);
      // Made private by its owner since: hidden, but kept in case it comes back.
      else if (canView(v, user.id)) entries.push({ video: Video.from(v), positionSeconds: w.positionSeconds, watchedAt: w.watchedAt });
    });
    await this.history.remove(user.id, deleted);
    return entries;
  }
}

import { Arg, Ctx, Float, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { WatchService } from '../../playback/watch.service';
import { pageSize } from '../../utils/page-size';
import { videoIdArg } from '../common/ids';
import { requireUser, type GraphQLContext } from '../context';
import { Video } from '../video/video.type';
import { WatchEntry } from './watch.type';

@Resolver()
export class WatchResolver {
  constructor(private readonly watch: WatchService) {}

  @Query(() => [WatchEntry], {
    description: "The signed-in user's recently watched videos, newest first, with resume positions.",
    complexity: ({ args, childComplexity }) => pageSize(args.first as number | undefined) * childComplexity,
  })
  async continueWatching(
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<WatchEntry[]> {
    const user = requireUser(ctx);
    const entries = await this.watch.continueWatching(user.id, first, ctx.loaders.video);
    return entries.map((e) => ({ video: Video.from(e.video), positionSeconds: e.positionSeconds, watchedAt: e.watchedAt }));
  }

  @Mutation(() => Boolean, { description: "Saves the signed-in user's resume position (players call it every few seconds)." })
  async recordPlayback(
    @Arg('videoId', () => ID) videoId: string,
    @Arg('positionSeconds', () => Float) positionSeconds: number,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    const user = requireUser(ctx);
    await this.watch.record(user.id, videoIdArg(videoId, 'videoId'), positionSeconds, ctx.loaders.video);
    return true;
  }
}

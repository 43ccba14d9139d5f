import { Arg, Ctx, Float, ID, Mutation, Resolver } from 'type-graphql';
import { badInput, notFound } from '../../errors';
import type { WatchHistory } from '../../playback/watch-history';
import type { VideoEditService } from '../../videos/video-edit.service';
import { findVisible } from '../../videos/video-access';
import { isVideoId } from '../../domain/video-id';
import { requireUser, type GraphQLContext } from '../context';
import { VideoUpdateInput } from './video.input';
import { Video } from './video.type';

@Resolver()
export class VideoMutationResolver {
  constructor(
    private readonly edits: VideoEditService,
    private readonly history: WatchHistory,
  ) {}

  @Mutation(() => Video, { description: 'Owner only.' })
  async updateVideo(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => VideoUpdateInput) input: VideoUpdateInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Video> {
    const user = requireUser(ctx);
    return Video.from(await this.edits.update(user.id, id, input));
  }

  @Mutation(() => Boolean, { description: 'Owner only: removes the files, rows, pending jobs and cached copies.' })
  async deleteVideo(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    const user = requireUser(ctx);
    await this.edits.delete(user.id, id);
    return true;
  }

  @Mutation(() => Boolean, { description: "Saves the signed-in user's resume position (players call it every few seconds)." })
  async recordPlayback(
    @Arg('videoId', () => ID) videoId: string,
    @Arg('positionSeconds', () => Float) positionSeconds: number,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    const user = requireUser(ctx);
    if (!isVideoId(videoId)) throw badInput('Malformed video id', { field: 'videoId' });
    const video = await findVisible(ctx.loaders.video, videoId, user.id);
    if (!video) throw notFound();
    const limit = (video.durationSeconds ?? 7 * 24 * 3600) + 1;
    if (!Number.isFinite(positionSeconds) || positionSeconds < 0 || positionSeconds > limit) {
      throw badInput('`positionSeconds` must be within the video', { field: 'positionSeconds' });
    }
    await this.history.record(user.id, videoId, positionSeconds);
    return true;
  }
}

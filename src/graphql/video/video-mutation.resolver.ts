import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import type { VideoEditService } from '../../videos/video-edit.service';
import { videoIdArg } from '../common/ids';
import { requireUser, type GraphQLContext } from '../context';
import { VideoUpdateInput } from './video.input';
import { Video } from './video.type';

@Resolver()
export class VideoMutationResolver {
  constructor(private readonly edits: VideoEditService) {}

  @Mutation(() => Video, { description: 'Owner only.' })
  async updateVideo(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => VideoUpdateInput) input: VideoUpdateInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Video> {
    const user = requireUser(ctx);
    return Video.from(await this.edits.update(user.id, videoIdArg(id, 'id'), input));
  }

  @Mutation(() => Boolean, { description: 'Owner only: removes the files, rows, pending jobs and cached copies.' })
  async deleteVideo(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    const user = requireUser(ctx);
    await this.edits.delete(user.id, videoIdArg(id, 'id'));
    return true;
  }
}

import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import type { VideoEditService } from '../../videos/video-edit.service';
import { videoIdArg } from '../common/ids';
import { requireUser, type GraphQLContext } from '../context';
import { drain, openUpload, UploadScalar, type IncomingFile } from './upload.scalar';
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

  @Mutation(() => Video, {
    description:
      'Owner only, READY videos: a JPEG, PNG or WebP image (multipart, as `uploadVideo`) becomes the poster, in the poster sizes. ' +
      'Recognised by decoding it, never by its name or type; at most POSTER_MAX_BYTES and POSTER_MAX_DIMENSION pixels per side.',
  })
  async setPoster(
    @Arg('videoId', () => ID) videoId: string,
    @Arg('file', () => UploadScalar) file: IncomingFile,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Video> {
    try {
      const user = requireUser(ctx);
      return Video.from(await this.edits.setPoster(user.id, videoIdArg(videoId, 'videoId'), () => openUpload(file)));
    } catch (err) {
      drain(file);
      throw err;
    }
  }

  @Mutation(() => Boolean, { description: 'Owner only: removes the files, rows, pending jobs and cached copies.' })
  async deleteVideo(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    const user = requireUser(ctx);
    await this.edits.delete(user.id, videoIdArg(id, 'id'));
    return true;
  }
}

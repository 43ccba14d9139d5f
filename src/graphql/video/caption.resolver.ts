import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import type { MediaUrls } from '../../playback/media-urls';
import type { VideoEditService } from '../../videos/video-edit.service';
import { videoIdArg } from '../common/ids';
import { requireUser, type GraphQLContext } from '../context';
import { Caption, CaptionInput } from './caption.type';
import { drain, openUpload, UploadScalar, type IncomingFile } from './upload.scalar';
import { Video } from './video.type';

@Resolver(() => Video)
export class CaptionResolver {
  constructor(
    private readonly edits: VideoEditService,
    private readonly urls: MediaUrls,
  ) {}

  @FieldResolver(() => [Caption], { description: 'Caption tracks, by language; batched for a page of videos.' })
  async captions(@Root() video: Video, @Ctx() ctx: GraphQLContext): Promise<Caption[]> {
    const rows = await ctx.loaders.captions.load(video.id);
    return rows.map((c) => ({
      id: c.id,
      language: c.language,
      label: c.label,
      kind: c.kind,
      url: this.urls.file(video.entity, publicPath(video.id, c.fileKey)),
    }));
  }

  @Mutation(() => Video, {
    description:
      'Owner only: a WebVTT or SRT file (multipart, as `uploadVideo`; UTF-8, at most CAPTION_MAX_BYTES) becomes the track of `input.language`, ' +
      'replacing one of the same language; stored as WebVTT and added to both manifests. Not while UPLOADING, nor FAILED.',
  })
  async addCaption(
    @Arg('videoId', () => ID) videoId: string,
    @Arg('input', () => CaptionInput) input: CaptionInput,
    @Arg('file', () => UploadScalar) file: IncomingFile,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Video> {
    try {
      const user = requireUser(ctx);
      return Video.from(await this.edits.addCaption(user.id, videoIdArg(videoId, 'videoId'), input, () => openUpload(file)));
    } catch (err) {
      drain(file);
      throw err;
    }
  }

  @Mutation(() => Video, { description: 'Owner only: the track of that language leaves both manifests and storage (NOT_FOUND when there is none).' })
  async removeCaption(
    @Arg('videoId', () => ID) videoId: string,
    @Arg('language', () => String) language: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Video> {
    const user = requireUser(ctx);
    return Video.from(await this.edits.removeCaption(user.id, videoIdArg(videoId, 'videoId'), language));
  }
}

/** Stored keys are `videos/<id>/public/<path>`; URLs carry only `<path>`. */
function publicPath(videoId: string, key: string): string {
  const prefix = `videos/${videoId}/public/`;
  if (!key.startsWith(prefix)) throw new Error(`Key ${key} is not public`);
  return key.slice(prefix.length);
}

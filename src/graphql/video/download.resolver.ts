import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import type { DownloadService } from '../../playback/downloads';
import type { MediaUrls } from '../../playback/media-urls';
import type { GraphQLContext } from '../context';
import { Download, DownloadStatus } from './download.type';
import { Video } from './video.type';

@Resolver(() => Video)
export class DownloadResolver {
  constructor(
    private readonly downloads: DownloadService,
    private readonly urls: MediaUrls,
  ) {}

  @FieldResolver(() => Download, {
    nullable: true,
    description:
      'An MP4 of one rendition (the tallest when `height` is omitted). The owner may always download; others when `allowDownload` is on. ' +
      'Null when this viewer may not, or the video is not READY. The first request starts making it (PENDING).',
  })
  async download(
    @Root() video: Video,
    @Ctx() ctx: GraphQLContext,
    @Arg('height', () => Int, { nullable: true, description: 'A rendition height, e.g. 720.' }) height: number | null,
  ): Promise<Download | null> {
    const renditions = await ctx.loaders.renditions.load(video.id);
    const offer = await this.downloads.offer(video.entity, renditions, ctx.user?.id ?? null, height ?? null);
    if (!offer) return null;
    const ready = offer.status === 'READY';
    const expiresAt = ready ? this.urls.expiresAt(video.entity, { owner: offer.ownerOnly }) : null;
    return {
      status: DownloadStatus[offer.status],
      height: offer.height,
      width: offer.width,
      url: ready ? this.urls.file(video.entity, offer.path, { owner: offer.ownerOnly, expiresAt: expiresAt ?? undefined }) : null,
      filename: offer.filename,
      sizeBytes: offer.sizeBytes,
      expiresAt,
    };
  }
}

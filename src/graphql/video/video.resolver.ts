import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import type { MediaUrls } from '../../playback/media-urls';
import { effectiveMaxHeight } from '../../playback/rungs';
import { parseVideoId } from '../../domain/video-id';
import { failureReasonFor } from '../../videos/failure-reason';
import { findVisible } from '../../videos/video-access';
import type { VideoQueryService } from '../../videos/video-query.service';
import type { GraphQLContext } from '../context';
import { pageSize } from '../../utils/page-size';
import { userIdArg } from '../common/ids';
import { decodeCursor, encodeCursor } from '../common/page.type';
import { User } from '../user/user.type';
import { Image, Playback, Rendition, Storyboard, Video, VideoConnection } from './video.type';
import type { VideoEntity } from '../../db/entities';
import type { Page } from '../../videos/video-query.service';
import { badInput } from '../../errors';
import { VideoOrder } from '../../domain/video-order';

@Resolver(() => Video)
export class VideoResolver {
  constructor(
    private readonly queries: VideoQueryService,
    private readonly urls: MediaUrls,
  ) {}

  @Query(() => Video, { nullable: true, description: 'A video the caller may see, or null.' })
  async video(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Video | null> {
    const videoId = parseVideoId(id);
    const entity = videoId ? await findVisible(ctx.loaders.video, videoId, ctx.user?.id ?? null) : null;
    return entity ? Video.from(entity) : null;
  }

  @Query(() => VideoConnection, {
    description: 'Public READY videos (never unlisted or private ones), optionally searched and of one uploader, in the chosen order.',
    complexity: ({ args, childComplexity }) => pageSize(args.first as number | undefined) * childComplexity,
  })
  async videos(
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: "An endCursor of the same orderBy; another order's is BAD_USER_INPUT." }) after: string | null,
    @Arg('search', () => String, { nullable: true, description: 'Words of the title or description (all must match, as prefixes); at most 100 characters.' })
    search: string | null,
    @Arg('uploaderId', () => ID, { nullable: true }) uploaderId: string | null,
    @Arg('orderBy', () => VideoOrder, { nullable: true, defaultValue: VideoOrder.NEWEST }) orderBy: VideoOrder | null,
  ): Promise<VideoConnection> {
    const order = orderBy ?? VideoOrder.NEWEST;
    const page = { limit: pageSize(first), order, after: decodeCursor(after, order) };
    const uploader = uploaderId ?? null; // omitted arguments arrive as undefined
    return toConnection(await this.queries.listPublic(page, { search, uploaderId: uploader === null ? null : userIdArg(uploader, 'uploaderId') }), order);
  }

  @FieldResolver(() => String, { nullable: true, description: 'Why processing failed: in full for the owner, a short public reason for anyone else.' })
  failureReason(@Root() video: Video, @Ctx() ctx: GraphQLContext): string | null {
    return failureReasonFor(ctx.user?.id ?? null, video.entity);
  }

  @FieldResolver(() => User)
  async uploader(@Root() video: Video, @Ctx() ctx: GraphQLContext): Promise<User> {
    const user = await ctx.loaders.user.load(video.entity.ownerId);
    if (!user) throw new Error(`Video ${video.id} has no uploader row`);
    return User.from(user);
  }

  @FieldResolver(() => [Rendition])
  async renditions(@Root() video: Video, @Ctx() ctx: GraphQLContext): Promise<Rendition[]> {
    const rows = await ctx.loaders.renditions.load(video.id);
    return rows.map((r) => ({ height: r.height, width: r.width, bitrate: r.bitrate, codecs: r.codecs, frameRate: r.frameRate }));
  }

  @FieldResolver(() => Int, { description: 'Counted live in Redis, flushed to the database periodically.' })
  async viewCount(@Root() video: Video, @Ctx() ctx: GraphQLContext): Promise<number> {
    return (await ctx.loaders.viewCount.load(video.id)) ?? video.entity.viewCount;
  }

  @FieldResolver(() => Image, { nullable: true })
  poster(@Root() video: Video): Image | null {
    const largest = video.entity.poster?.[0];
    if (!largest) return null;
    const url = (key: string) => this.urls.file(video.entity, pathOf(video.entity, key));
    return { url: url(largest.key), width: largest.width, height: largest.height, webpUrl: largest.webpKey ? url(largest.webpKey) : null };
  }

  @FieldResolver(() => Storyboard, { nullable: true })
  storyboard(@Root() video: Video): Storyboard | null {
    const sb = video.entity.storyboard;
    if (!sb || !sb.imageKeys[0]) return null;
    return {
      vttUrl: this.urls.file(video.entity, pathOf(video.entity, sb.vttKey)),
      imageUrl: this.urls.file(video.entity, pathOf(video.entity, sb.imageKeys[0])),
      tileWidth: sb.tileWidth,
      tileHeight: sb.tileHeight,
      intervalSeconds: sb.intervalSeconds,
    };
  }

  @FieldResolver(() => Playback, {
    nullable: true,
    description: 'Manifest URLs; with hints, the manifests list only the rungs that suit the device and network.',
  })
  async playback(
    @Root() video: Video,
    @Ctx() ctx: GraphQLContext,
    @Arg('maxHeight', () => Int, { nullable: true, description: 'Tallest rung worth sending (screen height in device pixels).' }) maxHeight: number | null,
    @Arg('saveData', () => Boolean, { nullable: true, description: 'Data saver: low rungs only.' }) saveData: boolean | null,
  ): Promise<Playback | null> {
    maxHeight ??= null; // omitted arguments arrive as undefined
    const { hlsKey, dashKey } = video.entity;
    if (!hlsKey || !dashKey) return null;
    if (maxHeight !== null && !(maxHeight > 0 && maxHeight <= 10_000)) throw badInput('`maxHeight` must be between 1 and 10000', { field: 'maxHeight' });
    const limit = maxHeight !== null || saveData
      ? effectiveMaxHeight((await ctx.loaders.renditions.load(video.id)).map((r) => r.height), { maxHeight, saveData })
      : null;
    const expiresAt = this.urls.expiresAt(video.entity);
    const opts = { maxHeight: limit, expiresAt: expiresAt ?? undefined };
    return {
      hlsUrl: this.urls.file(video.entity, pathOf(video.entity, hlsKey), opts),
      dashUrl: this.urls.file(video.entity, pathOf(video.entity, dashKey), opts),
      expiresAt,
    };
  }
}

export function toConnection(page: Page<VideoEntity>, order: VideoOrder): VideoConnection {
  const edges = page.items.map((e) => ({ cursor: encodeCursor(order, e), node: Video.from(e) }));
  return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
}

/** Stored keys are `videos/<id>/public/<path>`; URLs carry only `<path>`. */
function pathOf(video: Pick<VideoEntity, 'id'>, key: string): string {
  const prefix = `videos/${video.id}/public/`;
  if (!key.startsWith(prefix)) throw new Error(`Key ${key} is not public`);
  return key.slice(prefix.length);
}

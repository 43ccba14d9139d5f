import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import type { MediaUrls } from '../../http/media-urls';
import type { VideoQueryService } from '../../videos/video-query.service';
import type { GraphQLContext } from '../context';
import { decodeCursor, encodeCursor, pageSize } from '../common/page.type';
import { User } from '../user/user.type';
import { Image, Playback, Rendition, Storyboard, Video, VideoConnection } from './video.type';
import type { VideoEntity } from '../../db/entities';
import type { Page } from '../../videos/video-query.service';

@Resolver(() => Video)
export class VideoResolver {
  constructor(
    private readonly queries: VideoQueryService,
    private readonly urls: MediaUrls,
  ) {}

  @Query(() => Video, { nullable: true, description: 'A video the caller may see, or null.' })
  async video(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Video | null> {
    const entity = await this.queries.getVisible(id, ctx.user?.id ?? null);
    return entity ? Video.from(entity) : null;
  }

  @Query(() => VideoConnection, { description: 'Public READY videos, newest first.', complexity: ({ args, childComplexity }) => pageSize(args.first as number | undefined) * childComplexity })
  async videos(
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<VideoConnection> {
    return toConnection(await this.queries.listPublic({ limit: pageSize(first), after: decodeCursor(after) }));
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

  @FieldResolver(() => Image, { nullable: true })
  poster(@Root() video: Video): Image | null {
    const largest = video.entity.poster?.[0];
    return largest ? { url: this.urls.file(video, pathOf(video.entity, largest.key)), width: largest.width, height: largest.height } : null;
  }

  @FieldResolver(() => Storyboard, { nullable: true })
  storyboard(@Root() video: Video): Storyboard | null {
    const sb = video.entity.storyboard;
    if (!sb || !sb.imageKeys[0]) return null;
    return {
      vttUrl: this.urls.file(video, pathOf(video.entity, sb.vttKey)),
      imageUrl: this.urls.file(video, pathOf(video.entity, sb.imageKeys[0])),
      tileWidth: sb.tileWidth,
      tileHeight: sb.tileHeight,
      intervalSeconds: sb.intervalSeconds,
    };
  }

  @FieldResolver(() => Playback, { nullable: true })
  playback(@Root() video: Video): Playback | null {
    const { hlsKey, dashKey } = video.entity;
    if (!hlsKey || !dashKey) return null;
    return {
      hlsUrl: this.urls.file(video, pathOf(video.entity, hlsKey)),
      dashUrl: this.urls.file(video, pathOf(video.entity, dashKey)),
      expiresAt: null,
    };
  }
}

export function toConnection(page: Page<VideoEntity>): VideoConnection {
  const edges = page.items.map((e) => ({ cursor: encodeCursor(e), node: Video.from(e) }));
  return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
}

/** Stored keys are `videos/<id>/public/<path>`; URLs carry only `<path>`. */
function pathOf(video: Pick<VideoEntity, 'id'>, key: string): string {
  const prefix = `videos/${video.id}/public/`;
  if (!key.startsWith(prefix)) throw new Error(`Key ${key} is not public`);
  return key.slice(prefix.length);
}

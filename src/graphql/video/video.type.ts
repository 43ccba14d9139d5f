import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import type { VideoEntity } from '../../db/entities';
import { PageInfo } from '../common/page.type';
import { User } from '../user/user.type';
import { VideoStatus, Visibility } from './video.enums';

@ObjectType()
export class Rendition {
  @Field(() => Int) height!: number;
  @Field(() => Int) width!: number;
  @Field(() => Int, { description: 'Peak bits per second, as in the manifests.' }) bitrate!: number;
  @Field({ description: 'RFC 6381 codecs string, e.g. avc1.64001f,mp4a.40.2' }) codecs!: string;
  @Field(() => Float, { nullable: true }) frameRate!: number | null;
}

@ObjectType()
export class Image {
  @Field() url!: string;
  @Field(() => Int) width!: number;
  @Field(() => Int) height!: number;
  @Field(() => String, { nullable: true, description: 'The same picture as WebP, when there is one.' }) webpUrl!: string | null;
}

@ObjectType({ description: 'Sprite sheet(s) and a WebVTT index with #xywh= fragments for scrub previews.' })
export class Storyboard {
  @Field() vttUrl!: string;
  @Field() imageUrl!: string;
  @Field(() => Int) tileWidth!: number;
  @Field(() => Int) tileHeight!: number;
  @Field(() => Float) intervalSeconds!: number;
}

@ObjectType()
export class Playback {
  @Field() hlsUrl!: string;
  @Field() dashUrl!: string;
  @Field(() => Date, { nullable: true, description: 'When the signed URLs stop working (private videos).' })
  expiresAt!: Date | null;
}

/** The GraphQL view of a video. Resolvers fill uploader, renditions, poster, storyboard and playback. */
@ObjectType()
export class Video {
  @Field(() => ID) id!: string;
  @Field() title!: string;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => VideoStatus) status!: VideoStatus;
  @Field(() => Visibility) visibility!: Visibility;
  @Field({ description: 'Whether viewers other than the owner may download it (see `download`).' }) allowDownload!: boolean;
  @Field(() => String, { nullable: true }) failureReason!: string | null;
  @Field(() => User) uploader!: User;
  @Field(() => Float, { nullable: true }) durationSeconds!: number | null;
  @Field(() => Int, { nullable: true }) width!: number | null;
  @Field(() => Int, { nullable: true }) height!: number | null;
  @Field(() => Float, { nullable: true }) sizeBytes!: number | null;
  @Field(() => [Rendition]) renditions!: Rendition[];
  @Field(() => Image, { nullable: true }) poster!: Image | null;
  @Field(() => Storyboard, { nullable: true }) storyboard!: Storyboard | null;
  @Field(() => Playback, { nullable: true }) playback!: Playback | null;
  @Field(() => Int) viewCount!: number;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date) updatedAt!: Date;

  /** The row behind this view, for field resolvers; not exposed. */
  entity!: VideoEntity;

  static from(e: VideoEntity): Video {
    return Object.assign(new Video(), {
      id: e.id,
      title: e.title,
      description: e.description,
      status: e.status,
      visibility: e.visibility,
      allowDownload: e.allowDownload === true,
      failureReason: e.failureReason,
      durationSeconds: e.durationSeconds,
      width: e.width,
      height: e.height,
      sizeBytes: e.sizeBytes,
      viewCount: e.viewCount,
      createdAt: e.createdAt,
      updatedAt: e.updatedAt,
      entity: e,
    });
  }
}

@ObjectType()
export class VideoEdge {
  @Field() cursor!: string;
  @Field(() => Video) node!: Video;
}

@ObjectType()
export class VideoConnection {
  @Field(() => [VideoEdge]) edges!: VideoEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}

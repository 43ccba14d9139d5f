import { Field, Float, ObjectType } from 'type-graphql';
import { Video } from '../video/video.type';

@ObjectType({ description: 'A video the user started, with where to resume.' })
export class WatchEntry {
  @Field(() => Video) video!: Video;
  @Field(() => Float) positionSeconds!: number;
  @Field(() => Date) watchedAt!: Date;
}

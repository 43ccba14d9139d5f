import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { VideoStatus } from './video.enums';

@ObjectType({ description: 'One step of an upload or of processing, pushed to videoProgress subscribers.' })
export class VideoProgressEvent {
  @Field(() => ID) videoId!: string;
  @Field(() => VideoStatus) status!: VideoStatus;
  @Field({ description: 'UPLOAD, PROBE, TRANSCODE, THUMBNAILS, PUBLISH or DONE' }) phase!: string;
  @Field(() => Float, { description: '0..100 within the current stage (upload, then processing)' }) percent!: number;
  @Field(() => Float, { nullable: true }) bytesReceived!: number | null;
  @Field(() => Float, { nullable: true }) bytesTotal!: number | null;
  @Field(() => Int, { nullable: true, description: 'Height of the rung this event is about' }) rendition!: number | null;
  @Field(() => String, { nullable: true, description: 'Failure reason when status is FAILED' }) message!: string | null;
  @Field({ description: 'True once at least one rendition plays' }) playable!: boolean;
}

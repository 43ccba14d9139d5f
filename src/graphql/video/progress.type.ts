import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { VideoStatus } from './video.enums';

@ObjectType({ description: 'The bytes of a multipart upload sent with an uploadKey, then its hand-over to videoProgress.' })
export class UploadProgressEvent {
  @Field() uploadKey!: string;
  @Field(() => ID, { nullable: true, description: 'The video being uploaded (follow it on videoProgress once QUEUED)' }) videoId!: string | null;
  @Field(() => VideoStatus, { description: 'UPLOADING while bytes arrive, then QUEUED (handed over) or FAILED; the subscription then completes' })
  status!: VideoStatus;
  @Field(() => Float) bytesReceived!: number;
  @Field(() => Float, { nullable: true, description: 'The sizeBytes the client declared' }) bytesTotal!: number | null;
  @Field(() => Float, { description: '0..100 of bytesTotal (0 while unknown)' }) percent!: number;
  @Field(() => String, { nullable: true, description: 'Why, when FAILED' }) message!: string | null;
}

@ObjectType({ description: 'One step of an upload or of processing, pushed to videoProgress subscribers.' })
export class VideoProgressEvent {
  @Field(() => ID) videoId!: string;
  @Field(() => VideoStatus) status!: VideoStatus;
  @Field({ description: 'UPLOAD, QUEUED, PROBE, TRANSCODE, THUMBNAILS, PUBLISH, RETRY (a new attempt; see restartPhase) or DONE' }) phase!: string;
  @Field(() => Float, { description: '0..100 over the whole job (upload 0-20, processing 20-100), never decreasing, not even across retries' })
  percent!: number;
  @Field(() => Float, { nullable: true, description: '0..100 within the current phase; null when the phase has no measure of its own' })
  phasePercent!: number | null;
  @Field(() => Int, { nullable: true, description: 'Seconds until READY while processing, from the encoder speed and the remaining phases; null until it can be estimated' })
  etaSeconds!: number | null;
  @Field(() => Int, { nullable: true, description: 'While QUEUED: how many transcode jobs will start before this one (0: next)' })
  queuePosition!: number | null;
  @Field(() => Int, { nullable: true, description: 'Processing attempt, 1 for the first' }) attempt!: number | null;
  @Field(() => String, { nullable: true, description: 'On RETRY: the phase the new attempt starts from' }) restartPhase!: string | null;
  @Field(() => Float, { nullable: true }) bytesReceived!: number | null;
  @Field(() => Float, { nullable: true }) bytesTotal!: number | null;
  @Field(() => Int, { nullable: true, description: 'Height of the rung this event is about' }) rendition!: number | null;
  @Field(() => String, { nullable: true, description: 'Failure reason when status is FAILED' }) message!: string | null;
  @Field({ description: 'True once at least one rendition plays' }) playable!: boolean;
}

import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum DownloadStatus {
  PENDING = 'PENDING',
  READY = 'READY',
  FAILED = 'FAILED',
}
registerEnumType(DownloadStatus, {
  name: 'DownloadStatus',
  description: 'PENDING: being made (ask again in a few seconds); READY: `url` works; FAILED: could not be made, tried again a few minutes later.',
});

@ObjectType({ description: 'An MP4 (fast start, no re-encode) of one rendition, made on first request and kept until the video is re-encoded or deleted.' })
export class Download {
  @Field(() => DownloadStatus) status!: DownloadStatus;
  @Field(() => Int) height!: number;
  @Field(() => Int) width!: number;
  @Field(() => String, {
    nullable: true,
    description: 'Null until READY. Served with `Content-Disposition: attachment` and Range; signed (expiring) for private videos and for downloads only the owner may make.',
  })
  url!: string | null;
  @Field({ description: 'The name the file is saved as: `<title>-<height>p.mp4`.' }) filename!: string;
  @Field(() => Float, { nullable: true, description: 'Bytes, once READY.' }) sizeBytes!: number | null;
  @Field(() => Date, { nullable: true, description: 'When a signed `url` stops working.' }) expiresAt!: Date | null;
}

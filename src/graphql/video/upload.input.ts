import { IsInt, IsOptional, Max, MaxLength, Min, MinLength } from 'class-validator';
import { Field, Float, InputType } from 'type-graphql';
import { Visibility } from './video.enums';

/** What every new video is given, whichever way its bytes arrive (not used in the schema on its own). */
@InputType()
abstract class NewVideoFields {
  @Field() @MinLength(1) @MaxLength(200) title!: string;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(5000) description?: string | null;
  @Field(() => Visibility, { defaultValue: Visibility.PRIVATE, description: 'PRIVATE unless said otherwise.' })
  visibility!: Visibility;
}

@InputType({ description: 'Metadata of a video sent with `uploadVideo`.' })
export class VideoInput extends NewVideoFields {
  @Field(() => Float, { nullable: true, description: 'The file size, if the client knows it: refused early when over the limit, and gives progress events a percent.' })
  @IsOptional() @IsInt() @Min(1) @Max(Number.MAX_SAFE_INTEGER)
  sizeBytes?: number | null;
  @Field(() => String, {
    nullable: true,
    description: 'A UUID the client makes up to follow this upload on `uploadProgress(uploadKey)` (subscribe first, then send the request).',
  })
  @IsOptional() @MaxLength(36) uploadKey?: string | null;
}

@InputType({ description: 'A resumable (tus 1.0) upload: the size is fixed up front.' })
export class CreateUploadInput extends NewVideoFields {
  @Field(() => String, { nullable: true, description: 'For display only; storage never uses it.' })
  @IsOptional() @MaxLength(1000) filename?: string | null;
  @Field(() => Float, { description: 'Exact size in bytes (the tus Upload-Length).' })
  sizeBytes!: number;
}

import { Field, Float, InputType } from 'type-graphql';
import { Visibility } from './video.enums';

@InputType({ description: 'Fields left out stay as they are; description null clears it.' })
export class VideoUpdateInput {
  @Field(() => String, { nullable: true }) title?: string | null;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => Visibility, { nullable: true }) visibility?: Visibility | null;
  @Field(() => Boolean, { nullable: true, description: 'Let viewers other than the owner download the video.' }) allowDownload?: boolean | null;
  @Field(() => Float, { nullable: true, description: 'Re-pick the poster from this time (seconds; READY videos only).' })
  posterTimeSeconds?: number | null;
}

import { Field, InputType } from 'type-graphql';
import { Visibility } from './video.enums';

@InputType({ description: 'Fields left out stay as they are; description null clears it.' })
export class VideoUpdateInput {
  @Field(() => String, { nullable: true }) title?: string | null;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => Visibility, { nullable: true }) visibility?: Visibility | null;
}

import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { CaptionKind } from '../../domain/caption-kind';

registerEnumType(CaptionKind, {
  name: 'CaptionKind',
  description: 'SUBTITLES: the dialogue, for viewers who hear the audio; CAPTIONS: also sounds and speakers, for the deaf and hard of hearing.',
});

@ObjectType({ description: 'A caption track: one per language, listed in both manifests (HLS SUBTITLES rendition, DASH text/vtt AdaptationSet).' })
export class Caption {
  @Field(() => ID) id!: string;
  @Field({ description: 'Canonical BCP 47 tag, e.g. en-US.' }) language!: string;
  @Field({ description: 'Shown in players’ caption menus.' }) label!: string;
  @Field(() => CaptionKind) kind!: CaptionKind;
  @Field({ description: 'The WebVTT file; signed (expiring) for private videos, like other media.' }) url!: string;
}

@InputType()
export class CaptionInput {
  @Field({ description: 'BCP 47 language tag (e.g. en, en-US, pt-BR); stored canonical. A track of the same language is replaced.' })
  language!: string;
  @Field({ description: '1 to 100 characters, no double quotes.' }) label!: string;
  @Field(() => CaptionKind, { defaultValue: CaptionKind.SUBTITLES }) kind!: CaptionKind;
}

export { CaptionKind };

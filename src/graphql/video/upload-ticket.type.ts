import { Field, ObjectType } from 'type-graphql';
import { Video } from './video.type';

@ObjectType({
  description:
    'A resumable upload: send the bytes to `uploadUrl` with any tus 1.0 client (HEAD/PATCH/DELETE), with the same `Authorization: Bearer` header.',
})
export class UploadTicket {
  @Field(() => Video) video!: Video;
  @Field({ description: 'The tus upload URL of this video (already created; resume with HEAD + PATCH).' }) uploadUrl!: string;
  @Field(() => Date, { description: 'An unfinished upload is removed after this.' }) expiresAt!: Date;
}

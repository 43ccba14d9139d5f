import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { parseUploadKey } from '../../domain/video-id';
import { badInput } from '../../errors';
import type { UploadService } from '../../videos/upload.service';
import { requireUser, type GraphQLContext } from '../context';
import { CreateUploadInput, VideoInput } from './upload.input';
import { drain, UploadScalar, type IncomingFile } from './upload.scalar';
import { UploadTicket } from './upload-ticket.type';
import { Video } from './video.type';

@Resolver()
export class UploadResolver {
  constructor(private readonly uploads: UploadService) {}

  @Mutation(() => Video, {
    description:
      'Uploads a video in one multipart request (GraphQL multipart request spec; send the header `apollo-require-preflight: true`). ' +
      'The file streams into storage; the video comes back QUEUED, or the call fails and nothing is kept.',
  })
  async uploadVideo(
    @Arg('file', () => UploadScalar) file: IncomingFile,
    @Arg('input', () => VideoInput) input: VideoInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Video> {
    try {
      const user = requireUser(ctx);
      const uploadKey = input.uploadKey == null ? null : parseUploadKey(input.uploadKey);
      if (input.uploadKey != null && !uploadKey) throw badInput('uploadKey must be a UUID');
      return Video.from(await this.uploads.uploadMultipart(user.id, { ...input, uploadKey }, file.promise));
    } catch (err) {
      drain(file);
      throw err;
    }
  }

  @Mutation(() => UploadTicket, { description: 'Starts a resumable (tus 1.0) upload of a known size.' })
  async createUpload(@Arg('input', () => CreateUploadInput) input: CreateUploadInput, @Ctx() ctx: GraphQLContext): Promise<UploadTicket> {
    const user = requireUser(ctx);
    const ticket = await this.uploads.createTicket(user.id, input);
    return { video: Video.from(ticket.video), uploadUrl: ticket.uploadUrl, expiresAt: ticket.expiresAt };
  }
}

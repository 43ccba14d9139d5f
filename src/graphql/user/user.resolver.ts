import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { VideoOrder } from '../../domain/video-order';
import type { VideoQueryService } from '../../videos/video-query.service';
import { pageSize } from '../../utils/page-size';
import { decodeCursor } from '../common/page.type';
import type { GraphQLContext } from '../context';
import { toConnection } from '../video/video.resolver';
import { VideoConnection } from '../video/video.type';
import { User } from './user.type';

@Resolver(() => User)
export class UserResolver {
  constructor(private readonly queries: VideoQueryService) {}

  @FieldResolver(() => VideoConnection, {
    description: "The user's videos, newest first: all of them for the user, public READY ones for others.",
    complexity: ({ args, childComplexity }) => pageSize(args.first as number | undefined) * childComplexity,
  })
  async videos(
    @Root() user: User,
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<VideoConnection> {
    const page = { limit: pageSize(first), after: decodeCursor(after, VideoOrder.NEWEST) };
    return toConnection(await this.queries.listByOwner(user.id, ctx.user?.id ?? null, page), VideoOrder.NEWEST);
  }
}

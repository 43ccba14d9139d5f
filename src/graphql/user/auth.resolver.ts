import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { UserService } from '../../users/user.service';
import type { GraphQLContext } from '../context';
import { AuthPayload, User } from './user.type';

@Resolver()
export class AuthResolver {
  constructor(private readonly users: UserService) {}

  @Query(() => User, { nullable: true, description: 'The signed-in user, or null without a valid token.' })
  async me(@Ctx() ctx: GraphQLContext): Promise<User | null> {
    if (!ctx.user) return null;
    const user = await ctx.loaders.user.load(ctx.user.id);
    return user ? User.from(user) : null;
  }

  @Mutation(() => AuthPayload)
  async signUp(
    @Arg('email') email: string,
    @Arg('password') password: string,
    @Arg('displayName') displayName: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AuthPayload> {
    const { token, user } = await this.users.signUp(email, password, displayName, ctx.clientIp);
    return { token, user: User.from(user) };
  }

  @Mutation(() => AuthPayload)
  async signIn(@Arg('email') email: string, @Arg('password') password: string, @Ctx() ctx: GraphQLContext): Promise<AuthPayload> {
    const { token, user } = await this.users.signIn(email, password, ctx.clientIp);
    return { token, user: User.from(user) };
  }
}

import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { WebhookService } from '../../webhooks/webhook.service';
import { pageSize } from '../../utils/page-size';
import { requireUser, type GraphQLContext } from '../context';
import { CreatedWebhook, Webhook, WebhookDelivery, VideoEvent } from './webhook.type';

@Resolver()
export class WebhookResolver {
  constructor(private readonly service: WebhookService) {}

  @Mutation(() => CreatedWebhook, { description: 'A new endpoint for your videos\' events; public addresses only. The secret is shown once.' })
  async createWebhook(
    @Arg('url') url: string,
    @Arg('events', () => [VideoEvent]) events: VideoEvent[],
    @Ctx() ctx: GraphQLContext,
  ): Promise<CreatedWebhook> {
    const { webhook, secret } = await this.service.create(requireUser(ctx).id, url, events);
    return { webhook: Webhook.from(webhook), secret };
  }

  @Query(() => [Webhook], { description: "The signed-in user's webhooks, newest first." })
  async webhooks(@Ctx() ctx: GraphQLContext): Promise<Webhook[]> {
    return (await this.service.list(requireUser(ctx).id)).map(Webhook.from);
  }

  @Mutation(() => Boolean, { description: 'Owner only; pending deliveries are dropped.' })
  async deleteWebhook(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    await this.service.delete(requireUser(ctx).id, id);
    return true;
  }

  @Query(() => [WebhookDelivery], {
    description: 'Owner only: recent delivery attempts, newest first.',
    complexity: ({ args, childComplexity }) => pageSize(args.first as number | undefined) * childComplexity,
  })
  async webhookDeliveries(
    @Arg('webhookId', () => ID) webhookId: string,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<WebhookDelivery[]> {
    return (await this.service.deliveries(requireUser(ctx).id, webhookId, pageSize(first))).map(WebhookDelivery.from);
  }
}

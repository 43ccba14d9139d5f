import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import { VideoStatus, Visibility } from '../../src/domain/video-status';
import { EventBus } from '../../src/events/event-bus';
import { startStack, type TestStack } from '../helpers/env';
import { signUp, wsClient } from '../helpers/graphql';
import { seedVideo } from '../helpers/media';

type Event = Record<string, unknown>;
const FULL = 'subscription($id:ID!){ videoProgress(videoId:$id){ status phase percent message } }';
const SHORT = 'subscription($id:ID!){ videoProgress(videoId:$id){ percent message } }';
const REASON = 'ffmpeg exited with code 234 reading /var/lib/secret/src.mkv';

/** One subscription: its first event (the snapshot) resolves `first`; `done` resolves on completion. */
function follow(client: Client, query: string, id: string) {
  const events: Event[] = [];
  let markFirst: () => void = () => undefined;
  const first = new Promise<void>((r) => (markFirst = r));
  const done = new Promise<Event[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not completed: ${JSON.stringify(events)}`)), 20_000);
    client.subscribe<{ videoProgress: Event }>({ query, variables: { id } }, {
      next: (msg) => {
        if (msg.errors) return reject(new Error(JSON.stringify(msg.errors)));
        events.push(msg.data!.videoProgress);
        markFirst();
      },
      error: (err) => reject(err instanceof Error ? err : new Error(JSON.stringify(err))),
      complete: () => {
        clearTimeout(timer);
        resolve(events);
      },
    });
  });
  return { first, done };
}

/**
 * graphql-ws executes an event once per distinct operation for all the subscribers it reaches
 * (graphql/shared-subscribe.ts): what each one receives must still be its own — the owner's
 * failure reason, other viewers' public one, each selection's fields, its own first snapshot —
 * in order, and each subscription still completes after the final event.
 */
describe('videoProgress shared between subscribers', () => {
  let stack: TestStack;
  let pub: Redis;
  let sub: Redis;
  let bus: EventBus;

  before(async () => {
    stack = await startStack();
    pub = new Redis(stack.config.redisUrl);
    sub = new Redis(stack.config.redisUrl);
    bus = new EventBus(pub, sub, stack.config.redisPrefix);
  });
  after(async () => {
    pub.disconnect();
    sub.disconnect();
    await stack.close();
  });

  it('owner and viewers on the same operation get their own failure reason, each selection its fields, every late one its own snapshot', { timeout: 60_000 }, async () => {
    const owner = await signUp(stack.url, 'Owner');
    const viewer = await signUp(stack.url, 'Viewer');
    const id = await seedVideo(stack, { ownerId: owner.userId, status: VideoStatus.PROCESSING, visibility: Visibility.PUBLIC });
    const clients: Client[] = [];
    const open = (token: string, query: string) => {
      const client = wsClient(stack.url, token);
      clients.push(client);
      return follow(client, query, id);
    };
    try {
      const early = [open(owner.token, FULL), open(owner.token, FULL), open(viewer.token, FULL), open(viewer.token, FULL), open(viewer.token, SHORT)];
      await Promise.all(early.map((s) => s.first));
      await bus.publish({ videoId: id, status: VideoStatus.PROCESSING, phase: 'TRANSCODE', percent: 30 });
      await bus.publish({ videoId: id, status: VideoStatus.PROCESSING, phase: 'TRANSCODE', percent: 50 });
      // Joins late: its first event is the stored snapshot (50), not a shared one.
      const late = open(viewer.token, FULL);
      await late.first;
      await bus.publish({ videoId: id, status: VideoStatus.FAILED, phase: 'DONE', percent: 50, message: REASON });
      const [ownerA, ownerB, viewerA, viewerB, short] = await Promise.all(early.map((s) => s.done));
      const lateEvents = await late.done;

      const snapshot = { status: 'PROCESSING', phase: 'PROBE', percent: 20, message: null };
      const middle = [30, 50].map((percent) => ({ status: 'PROCESSING', phase: 'TRANSCODE', percent, message: null }));
      const failed = (message: string) => ({ status: 'FAILED', phase: 'DONE', percent: 50, message });
      assert.deepEqual(ownerA, [snapshot, ...middle, failed(REASON)]);
      assert.deepEqual(ownerB, ownerA);
      assert.deepEqual(viewerA, [snapshot, ...middle, failed('The video could not be processed')]);
      assert.deepEqual(viewerB, viewerA);
      assert.deepEqual(short, [...[20, 30, 50].map((percent) => ({ percent, message: null as string | null })), { percent: 50, message: 'The video could not be processed' }]);
      assert.deepEqual(lateEvents, [middle[1], failed('The video could not be processed')]);
    } finally {
      await Promise.all(clients.map((c) => c.dispose()));
    }
  });

  it('stops listening to a video as soon as its last subscribers leave, owner and viewer alike, with no event to wake them', { timeout: 60_000 }, async () => {
    const owner = await signUp(stack.url, 'Owner');
    const viewer = await signUp(stack.url, 'Viewer');
    const id = await seedVideo(stack, { ownerId: owner.userId, status: VideoStatus.PROCESSING, visibility: Visibility.PUBLIC });
    const listeners = async () => Number(((await pub.pubsub('NUMSUB', `VIDEO_PROGRESS:${id}`)) as [string, number])[1]);
    const clients = [wsClient(stack.url, owner.token), wsClient(stack.url, viewer.token)];
    const subs = clients.map((c) => follow(c, FULL, id));
    await Promise.all(subs.map((s) => s.first));
    assert.equal(await listeners(), 1, 'the API listens once for both');
    await Promise.all(clients.map((c) => c.dispose()));
    let n = await listeners();
    for (const deadline = Date.now() + 5000; n > 0 && Date.now() < deadline; n = await listeners()) await new Promise((r) => setTimeout(r, 100));
    assert.equal(n, 0, 'still listening after every subscriber left');
  });

  it('keeps refusals per subscriber: a private video is NOT_FOUND to others while its owner follows it', { timeout: 60_000 }, async () => {
    const owner = await signUp(stack.url, 'Owner');
    const other = await signUp(stack.url, 'Other');
    const id = await seedVideo(stack, { ownerId: owner.userId, status: VideoStatus.PROCESSING, visibility: Visibility.PRIVATE });
    const ownerClient = wsClient(stack.url, owner.token);
    const otherClient = wsClient(stack.url, other.token);
    try {
      const mine = follow(ownerClient, FULL, id);
      await mine.first;
      const refused = await new Promise<unknown>((resolve) => {
        otherClient.subscribe({ query: FULL, variables: { id } }, { next: (msg) => resolve(msg.errors), error: resolve, complete: () => undefined });
      });
      assert.deepEqual((refused as { extensions: { code: string } }[]).map((e) => e.extensions.code), ['NOT_FOUND']);
      await bus.publish({ videoId: id, status: VideoStatus.READY, phase: 'DONE', percent: 100 });
      assert.deepEqual((await mine.done).map((e) => e.status), ['PROCESSING', 'READY']);
    } finally {
      await Promise.all([ownerClient.dispose(), otherClient.dispose()]);
    }
  });
});

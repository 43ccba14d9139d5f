import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  GraphQLError,
  GraphQLInt,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse,
  subscribe,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';
import { sharedSubscribe } from '../../src/graphql/shared-subscribe';

interface Tick { n: number; message: string }
interface Ctx { viewer: string; owner: boolean }

/** Three events, the same objects for every subscriber (as the pub/sub hands them out). */
const RAW: Tick[] = [1, 2, 3].map((n) => ({ n, message: `internal detail ${n}` }));
/** The public view of each event, made once (as progress.resolver does for the failure reason). */
const PUBLIC = RAW.map((e) => ({ ...e, message: 'public' }));

/** A schema whose `tick` resolvers count their calls; `whoAmI` reads the context (never shareable). */
function testSchema() {
  const calls = { tick: 0, whoAmI: 0, fails: 0 };
  const Tick = new GraphQLObjectType<Tick>({
    name: 'Tick',
    fields: {
      n: { type: new GraphQLNonNull(GraphQLInt) },
      message: { type: GraphQLString },
      scaled: { type: GraphQLInt, args: { by: { type: GraphQLInt } }, resolve: (t, a: { by?: number }) => t.n * (a.by ?? 1) },
    },
  });
  // The subscribe resolver decides, per subscriber, which event objects it gets.
  const source = (ctx: Ctx) => (async function* () {
    for (let i = 0; i < RAW.length; i += 1) yield ctx.owner ? RAW[i] : PUBLIC[i];
  })();
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLInt } } }),
    subscription: new GraphQLObjectType<Tick, Ctx>({
      name: 'Subscription',
      fields: {
        tick: { type: Tick, subscribe: (_r, _a, ctx: Ctx) => source(ctx), resolve: (t) => (calls.tick += 1, t) },
        whoAmI: { type: GraphQLString, subscribe: (_r, _a, ctx: Ctx) => source(ctx), resolve: (t: Tick, _a, ctx: Ctx) => (calls.whoAmI += 1, `${ctx.viewer}:${t.n}`) },
        fails: {
          type: GraphQLInt,
          subscribe: (_r, _a, ctx: Ctx) => source(ctx),
          resolve: (t: Tick) => {
            calls.fails += 1;
            if (t.n === 2) throw new GraphQLError('boom', { extensions: { code: 'X' } });
            return t.n;
          },
        },
        refused: { type: GraphQLInt, subscribe: () => { throw new GraphQLError('no', { extensions: { code: 'FORBIDDEN' } }); } },
      },
    }),
  });
  return { schema, calls };
}

async function drain(stream: AsyncGenerator<ExecutionResult, void, void> | ExecutionResult): Promise<unknown[]> {
  if (!(Symbol.asyncIterator in stream)) return [JSON.parse(JSON.stringify(stream))];
  const out: unknown[] = [];
  for await (const r of stream) out.push(JSON.parse(JSON.stringify(r)));
  return out;
}

describe('shared subscription execution', () => {
  const shareable = new Set(['tick', 'fails', 'refused']);
  const sub = (schema: GraphQLSchema, query: string, ctx: Ctx, variableValues?: Record<string, unknown>): ExecutionArgs =>
    ({ schema, document: parse(query), contextValue: ctx, variableValues });
  const viewers: Ctx[] = [{ viewer: 'owner', owner: true }, { viewer: 'owner', owner: true }, { viewer: 'a', owner: false }, { viewer: 'b', owner: false }];

  it('gives every subscriber what graphql-js subscribe gives it, executing each event once per operation and event object', async () => {
    const { schema, calls } = testSchema();
    const shared = sharedSubscribe(shareable);
    const ops: [string, Record<string, unknown> | undefined][] = [
      ['subscription { tick { n message } }', undefined],
      ['subscription($by: Int) { tick { n scaled(by: $by) } }', { by: 2 }],
      ['subscription($by: Int) { tick { n scaled(by: $by) } }', { by: 3 }],
    ];
    const expected: unknown[][] = [];
    for (const [q, v] of ops) for (const ctx of viewers) expected.push(await drain(await subscribe(sub(schema, q, ctx, v))));
    const plainCalls = calls.tick;
    assert.equal(plainCalls, ops.length * viewers.length * RAW.length);
    calls.tick = 0;
    const got = await Promise.all(ops.flatMap(([q, v]) => viewers.map(async (ctx) => drain(await shared(sub(schema, q, ctx, v))))));
    assert.deepEqual(got, expected);
    // Per operation: the owners share RAW's objects, the two other viewers PUBLIC's.
    assert.equal(calls.tick, ops.length * 2 * RAW.length);
    assert.deepEqual((got[0] as { data: { tick: Tick } }[]).map((r) => r.data.tick.message), RAW.map((e) => e.message));
    assert.deepEqual((got[2] as { data: { tick: Tick } }[]).map((r) => r.data.tick.message), ['public', 'public', 'public']);
    assert.deepEqual((got[5] as { data: { tick: { scaled: number } } }[]).map((r) => r.data.tick.scaled), [2, 4, 6]);
  });

  it('executes a field outside the shareable set per subscriber, with its own context', async () => {
    const { schema, calls } = testSchema();
    const shared = sharedSubscribe(shareable);
    const got = await Promise.all(viewers.map(async (ctx) => drain(await shared(sub(schema, 'subscription { whoAmI }', ctx)))));
    assert.equal(calls.whoAmI, viewers.length * RAW.length);
    assert.deepEqual(got[2], [1, 2, 3].map((n) => ({ data: { whoAmI: `a:${n}` } })));
  });

  it('keeps errors per event as graphql-js reports them, and refusals from the subscribe resolver', async () => {
    const { schema, calls } = testSchema();
    const shared = sharedSubscribe(shareable);
    const expected = await drain(await subscribe(sub(schema, 'subscription { fails }', viewers[0])));
    calls.fails = 0;
    const got = await Promise.all(viewers.slice(0, 2).map(async (ctx) => drain(await shared(sub(schema, 'subscription { fails }', ctx)))));
    assert.deepEqual(got, [expected, expected]);
    assert.equal((expected[1] as { errors: { message: string }[] }).errors[0].message, 'boom');
    assert.equal(calls.fails, RAW.length, 'the failing execution is shared too');
    const refused = await shared(sub(schema, 'subscription { refused }', viewers[0]));
    assert.deepEqual(await drain(refused), await drain(await subscribe(sub(schema, 'subscription { refused }', viewers[0]))));
    assert.ok(!(Symbol.asyncIterator in refused));
  });

  it('closes the source stream when the subscriber stops', async () => {
    const { schema } = testSchema();
    let closed = false;
    const endless = new GraphQLSchema({
      query: schema.getQueryType(),
      subscription: new GraphQLObjectType({
        name: 'Subscription',
        fields: {
          tick: {
            type: GraphQLInt,
            subscribe: () => (async function* () {
              try {
                for (let n = 0; ; n += 1) yield { n };
              } finally {
                closed = true;
              }
            })(),
            resolve: (t: { n: number }) => t.n,
          },
        },
      }),
    });
    const stream = await sharedSubscribe(shareable)(sub(endless, 'subscription { tick }', viewers[0]));
    assert.ok(Symbol.asyncIterator in stream);
    // graphql-js builds `data` without a prototype: compared as JSON.
    assert.equal(JSON.stringify(await stream.next()), JSON.stringify({ value: { data: { tick: 0 } }, done: false }));
    assert.deepEqual(await stream.return(), { value: undefined, done: true });
    assert.ok(closed);
  });
});

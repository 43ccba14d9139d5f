import { createSourceEventStream, execute, getOperationAST, Kind, print, type ExecutionArgs, type ExecutionResult } from 'graphql';

type Result = ExecutionResult | Promise<ExecutionResult>;

const isAsyncIterable = (x: unknown): x is AsyncIterable<unknown> =>
  typeof x === 'object' && x !== null && typeof (x as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === 'function';

/**
 * What makes two subscriptions' results for one event equal: the same document, operation and
 * variables. Null when the operation selects a root field outside `shareable` (its resolvers may
 * read the subscriber's context), or a root fragment (not worth resolving here).
 */
function operationKey(args: ExecutionArgs, shareable: ReadonlySet<string>): string | null {
  const op = getOperationAST(args.document, args.operationName);
  if (!op) return null;
  for (const s of op.selectionSet.selections) {
    if (s.kind !== Kind.FIELD || !(shareable.has(s.name.value) || s.name.value === '__typename')) return null;
  }
  return JSON.stringify([print(args.document), args.operationName ?? null, args.variableValues ?? null]);
}

/** graphql-js's own mapping of a source stream to results (its `mapAsyncIterator` is internal). */
function mapStream(source: AsyncIterable<unknown>, map: (payload: unknown) => Result): AsyncGenerator<ExecutionResult, void, void> {
  const it = source[Symbol.asyncIterator]();
  const close = async () => {
    try {
      await it.return?.();
    } catch {
      // The mapping's own error is the one to report.
    }
  };
  const mapResult = async (r: IteratorResult<unknown>): Promise<IteratorResult<ExecutionResult, void>> => {
    if (r.done) return { value: undefined, done: true };
    try {
      return { value: await map(r.value), done: false };
    } catch (err) {
      await close();
      throw err;
    }
  };
  const gen: AsyncGenerator<ExecutionResult, void, void> = {
    next: async () => mapResult(await it.next()),
    return: async () => (it.return ? mapResult(await it.return()) : { value: undefined, done: true }),
    throw: async (err: unknown) => {
      if (it.throw) return mapResult(await it.throw(err));
      await close();
      throw err;
    },
    [Symbol.asyncIterator]: () => gen,
  } as AsyncGenerator<ExecutionResult, void, void>;
  return gen;
}

/**
 * graphql-ws's `subscribe`: graphql-js's `subscribe`, except that an event delivered to many
 * subscriptions of a `shareable` root field is executed once per distinct operation (document,
 * operation name, variables) rather than once per subscriber. The source stream, and so the
 * subscribe resolver's checks and its choice of event, stay per subscription: the result is
 * shared only between subscribers handed the very same event object. A `shareable` field's
 * result must therefore depend on the event, the document and the variables only — never on the
 * context (the viewer); whatever differs by viewer is decided by which event object the
 * subscribe resolver hands out. Results are kept with their event (a WeakMap): nothing to evict.
 */
export function sharedSubscribe(shareable: ReadonlySet<string>) {
  const results = new WeakMap<object, Map<string, Result>>();
  return async (args: ExecutionArgs): Promise<AsyncGenerator<ExecutionResult, void, void> | ExecutionResult> => {
    const source = await createSourceEventStream(args);
    if (!isAsyncIterable(source)) return source;
    const run = (payload: unknown): Result => execute({ ...args, rootValue: payload });
    const key = operationKey(args, shareable);
    if (key === null) return mapStream(source, run);
    return mapStream(source, (payload) => {
      if (typeof payload !== 'object' || payload === null) return run(payload);
      let byOperation = results.get(payload);
      if (!byOperation) results.set(payload, (byOperation = new Map()));
      let result = byOperation.get(key);
      if (!result) byOperation.set(key, (result = run(payload)));
      return result;
    });
  };
}

import 'reflect-metadata';
import { DateTimeResolver } from 'graphql-scalars';
import type { GraphQLSchema } from 'graphql';
import { buildSchema, type ContainerType, type NonEmptyArray } from 'type-graphql';
import type { PubSub } from 'type-graphql';

/** A resolver class and the instance main.ts wired for it (no DI framework: plain constructors). */
export type ResolverInstances = Map<Function, object>;

/**
 * Builds the schema from the resolver instances. With `instances` null (schema emission) the
 * classes are only inspected, never instantiated.
 */
export function buildAppSchema(
  resolvers: NonEmptyArray<Function>,
  instances: ResolverInstances | null,
  pubSub: PubSub,
): Promise<GraphQLSchema> {
  const container: ContainerType = {
    get(cls: Function) {
      const instance = instances?.get(cls);
      if (!instance) throw new Error(`No instance wired for resolver ${cls.name}`);
      return instance;
    },
  };
  return buildSchema({
    resolvers,
    container,
    pubSub,
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    validate: { forbidUnknownValues: false },
    emitSchemaFile: false,
  });
}

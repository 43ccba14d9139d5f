import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type GraphQLSchema, type ValidationRule } from 'graphql';
import depthLimit from 'graphql-depth-limit';
import { AppError } from '../errors';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';

export function depthRule(maxDepth: number): ValidationRule {
  return depthLimit(maxDepth);
}

/** Computes the operation's cost (lists multiply by `first`) before anything resolves. */
export function complexityOf(schema: GraphQLSchema, query: import('graphql').DocumentNode, variables: Record<string, unknown>, operationName?: string): number {
  return getComplexity({
    schema,
    query,
    variables,
    operationName,
    estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
  });
}

export function complexityPlugin(schema: GraphQLSchema, max: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          let cost: number;
          try {
            cost = complexityOf(schema, document, request.variables ?? {}, request.operationName ?? undefined);
          } catch (err) {
            // Estimators validate `first` (pageSize); that is the client's mistake, not a crash.
            if (err instanceof AppError) throw new GraphQLError(err.message, { extensions: { code: err.code, ...err.details } });
            // Variables are coerced here before Apollo does it: a bad one (an unknown enum value) is the client's too.
            if (err instanceof GraphQLError) throw new GraphQLError(err.message, { extensions: { code: 'BAD_USER_INPUT' } });
            throw err;
          }
          if (cost > max) {
            throw new GraphQLError(`Query is too complex: ${cost} > ${max}`, {
              extensions: { code: 'BAD_USER_INPUT', complexity: cost, maxComplexity: max },
            });
          }
        },
      };
    },
  };
}

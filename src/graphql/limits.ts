import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type GraphQLSchema, type ValidationRule } from 'graphql';
import depthLimit from 'graphql-depth-limit';
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
          const cost = complexityOf(schema, document, request.variables ?? {}, request.operationName ?? undefined);
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

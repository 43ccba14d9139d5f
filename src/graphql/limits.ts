import type { ApolloServerPlugin } from '@apollo/server';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import {
  getArgumentValues,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  Kind,
  parse,
  specifiedRules,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLSchema,
  type ParseOptions,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import { AppError } from '../errors';
import { MAX_PAGE_SIZE } from '../utils/page-size';
import type { GraphQLContext } from './context';

export interface OperationLimits {
  /** Levels of fields below the root (`{ a { b } }` is 1), fragments flattened. */
  maxDepth: number;
  maxAliases: number;
  /** Lexical tokens per document: the parser stops there, before building anything big. */
  maxTokens: number;
  /** Cost budgets (graphql-query-complexity: 1 per field, lists times `first`). */
  maxCost: { anonymous: number; signedIn: number };
}

/** The arguments that size a list; checked before any cost is computed from them. */
const LIST_SIZE_ARGS = ['first'];

// graphql-armor's rules throw by default; reporting keeps graphql-js's usual "list of errors" answer.
const report = (ctx: ValidationContext | null, err: GraphQLError): void => ctx?.reportError(err);

function withCode(err: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(err.message, {
    nodes: err.nodes,
    source: err.source,
    positions: err.positions,
    path: err.path,
    originalError: err.originalError,
    extensions: { ...err.extensions, code },
  });
}

/**
 * THE rule set of every GraphQL operation, whichever transport carries it: Apollo applies it over
 * HTTP (parse options, validation rules, `apolloPlugin`) and graphql-ws's `onSubscribe` over the
 * WebSocket (`prepare`), so both refuse the same documents with the same codes.
 */
export class OperationRules {
  readonly parseOptions: ParseOptions;
  readonly validationRules: ValidationRule[];

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly limits: OperationLimits,
  ) {
    this.parseOptions = { maxTokens: limits.maxTokens };
    this.validationRules = [
      // graphql-armor counts the root's fields as depth 1: +1 keeps GRAPHQL_MAX_DEPTH's meaning.
      maxDepthRule({ n: limits.maxDepth + 1, flattenFragments: true, propagateOnRejection: false, onReject: [report] }),
      maxAliasesRule({ n: limits.maxAliases, propagateOnRejection: false, onReject: [report] }),
    ];
  }

  /**
   * List sizes first (1 ≤ first ≤ max: a negative or huge value must never lower or overflow the
   * cost), then the cost against the caller's budget. Throws a GraphQLError with a contract code.
   */
  assertAffordable(document: DocumentNode, variables: Record<string, unknown>, operationName: string | undefined, signedIn: boolean): void {
    // Apollo hands the same parsed document for the same query text, so an operation already
    // found affordable with these variables is not walked again (a profile of `{ __typename }`
    // showed this check as 7% of the request).
    const memoKey = `${signedIn ? 1 : 0}${operationName ?? ''}\n${JSON.stringify(variables)}`;
    const passed = this.affordable.get(document);
    if (passed?.has(memoKey)) return;
    this.check(document, variables, operationName, signedIn);
    if (!passed) this.affordable.set(document, new Set([memoKey]));
    else if (passed.size < 100) passed.add(memoKey);
  }

  /** Operations (by document, then caller kind, name and variables) that passed assertAffordable. */
  private readonly affordable = new WeakMap<DocumentNode, Set<string>>();

  private check(document: DocumentNode, variables: Record<string, unknown>, operationName: string | undefined, signedIn: boolean): void {
    assertListSizes(this.schema, document, variables, operationName);
    let cost: number;
    try {
      cost = getComplexity({
        schema: this.schema,
        query: document,
        variables,
        operationName,
        estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
      });
    } catch (err) {
      if (err instanceof AppError) throw new GraphQLError(err.message, { extensions: { code: err.code, ...err.details } });
      if (err instanceof GraphQLError) throw withCode(err, 'BAD_USER_INPUT');
      throw err;
    }
    const max = signedIn ? this.limits.maxCost.signedIn : this.limits.maxCost.anonymous;
    if (cost > max) {
      throw new GraphQLError(`Query is too complex: ${cost} > ${max}${signedIn ? '' : ' (sign in for a larger budget)'}`, {
        extensions: { code: 'BAD_USER_INPUT', complexity: cost, maxComplexity: max },
      });
    }
  }

  /** The WebSocket's way in: parse, validate and cost one operation as Apollo does over HTTP. */
  prepare(payload: { query: string; variables?: Record<string, unknown> | null; operationName?: string | null }, signedIn: boolean): DocumentNode | GraphQLError[] {
    let document: DocumentNode;
    try {
      document = parse(payload.query, this.parseOptions);
    } catch (err) {
      if (err instanceof GraphQLError) return [withCode(err, 'GRAPHQL_PARSE_FAILED')];
      throw err;
    }
    const invalid = validate(this.schema, document, [...specifiedRules, ...this.validationRules]);
    if (invalid.length > 0) return invalid.map((e) => withCode(e, 'GRAPHQL_VALIDATION_FAILED'));
    try {
      this.assertAffordable(document, payload.variables ?? {}, payload.operationName ?? undefined, signedIn);
    } catch (err) {
      if (err instanceof GraphQLError) return [err];
      throw err;
    }
    return document;
  }

  /** Over HTTP: the same check once Apollo knows the operation, before anything resolves. */
  apolloPlugin(): ApolloServerPlugin<GraphQLContext> {
    return {
      requestDidStart: async () => ({
        didResolveOperation: async ({ request, document, contextValue }) => {
          this.assertAffordable(document, request.variables ?? {}, request.operationName ?? undefined, contextValue.user !== null);
        },
      }),
    };
  }
}

function assertListSizes(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown>, operationName: string | undefined): void {
  const operation = getOperationAST(document, operationName);
  if (!operation) return; // no such operation: the executor reports it
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
  if (coerced.errors) throw withCode(coerced.errors[0], 'BAD_USER_INPUT');
  const typeInfo = new TypeInfo(schema);
  const visitor = visitWithTypeInfo(typeInfo, {
    Field(node) {
      const field = typeInfo.getFieldDef();
      if (!field || !field.args.some((a) => LIST_SIZE_ARGS.includes(a.name))) return;
      const args = getArgumentValues(field, node, coerced.coerced);
      for (const name of LIST_SIZE_ARGS) {
        const n = args[name];
        if (n === undefined || n === null) continue; // the resolver's default applies
        if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE) {
          throw new GraphQLError(`\`${name}\` must be between 1 and ${MAX_PAGE_SIZE}`, { nodes: [node], extensions: { code: 'BAD_USER_INPUT', field: name } });
        }
      }
    },
  });
  // The operation and the fragments (any of them may be spread into it).
  for (const def of document.definitions) {
    if (def === operation || def.kind === Kind.FRAGMENT_DEFINITION) visit(def, visitor);
  }
}

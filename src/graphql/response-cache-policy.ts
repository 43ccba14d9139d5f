import { Kind, parse, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode, type ValueNode } from 'graphql';
import { LIST_TAG } from '../cache/response-cache';
import { parseVideoId } from '../domain/video-id';

/**
 * Pure: whether an anonymous GraphQL request may be answered from the full-response cache, and
 * the tags (video ids, or LIST) its response must be dropped with. Only reads that are the same
 * for every anonymous caller qualify: root fields `video`, `videos` and `__typename`, and nothing
 * that acts per request (`download` queues a job on first ask). Anything else — mutations,
 * `me`, watch history, webhooks, a malformed query — returns null and runs as usual.
 */

/** Root fields whose answers depend only on the videos' rows (and the live view count, which a TTL bounds). */
const ROOT_FIELDS = new Set(['video', 'videos', '__typename']);
/** Fields that do something per request, whatever the caller. */
const UNCACHEABLE_FIELDS = new Set(['download']);

export interface CachePlan {
  /** The tags for these variables, or null when they make the request uncacheable. */
  tags(variables: Record<string, unknown> | null | undefined): string[] | null;
}

type IdSource = { literal: string | null } | { variable: string };

export function planResponseCache(query: string, operationName: string | null): CachePlan | null {
  let doc: DocumentNode;
  try {
    doc = parse(query, { noLocation: true });
  } catch {
    return null;
  }
  const ops = doc.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const op = operationName ? ops.find((o) => o.name?.value === operationName) : ops.length === 1 ? ops[0] : undefined;
  if (!op || op.operation !== 'query') return null;
  const fragments = new Map(
    doc.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  const ids: IdSource[] = [];
  let lists = false;
  let ok = true;
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode, root: boolean): void => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        const name = sel.name.value;
        if ((root && !ROOT_FIELDS.has(name)) || UNCACHEABLE_FIELDS.has(name)) ok = false;
        if (name === 'videos') lists = true;
        if (root && name === 'video') ids.push(idSource(sel.arguments?.find((a) => a.name.value === 'id')?.value));
        if (sel.selectionSet) walk(sel.selectionSet, false);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        walk(sel.selectionSet, root);
      } else {
        const f = fragments.get(sel.name.value);
        if (!f) ok = false;
        else if (!seen.has(`${f.name.value}:${root}`)) {
          seen.add(`${f.name.value}:${root}`);
          walk(f.selectionSet, root);
        }
      }
    }
  };
  walk(op.selectionSet, true);
  // Nothing worth storing (`{ __typename }` alone costs less to answer than to look up).
  if (!ok || (!lists && !ids.length)) return null;
  return {
    tags(variables) {
      const tags = new Set<string>();
      if (lists) tags.add(LIST_TAG);
      for (const src of ids) {
        const raw = 'variable' in src ? variables?.[src.variable] : src.literal;
        const id = typeof raw === 'string' ? parseVideoId(raw) : null;
        // A malformed id answers an error, which is not stored anyway; without a tag it could not be dropped.
        if (!id) return null;
        tags.add(id);
      }
      return [...tags];
    },
  };
}

function idSource(value: ValueNode | undefined): IdSource {
  if (value?.kind === Kind.VARIABLE) return { variable: value.name.value };
  if (value?.kind === Kind.STRING) return { literal: value.value };
  return { literal: null };
}

import { GraphQLError, GraphQLScalarType } from 'graphql';
import type { Readable } from 'node:stream';
import { GraphQLUpload, type FileUpload } from 'graphql-upload-minimal';
import { badInput } from '../../errors';

/**
 * The file part of a multipart request, possibly still arriving. Boxed on purpose: type-graphql
 * awaits promise-valued arguments before the resolver runs, which would turn a missing or
 * malformed file part into an unmapped error instead of BAD_USER_INPUT.
 */
export interface IncomingFile {
  promise: Promise<FileUpload>;
}

/** `scalar Upload` (GraphQL multipart request spec), parsed by graphql-upload-minimal. */
export const UploadScalar = new GraphQLScalarType<IncomingFile, unknown>({
  name: GraphQLUpload.name,
  description: GraphQLUpload.description,
  serialize: GraphQLUpload.serialize,
  parseLiteral(node) {
    throw new GraphQLError('Upload literal unsupported; send the file as a multipart request part', { nodes: node });
  },
  parseValue(value: unknown): IncomingFile {
    const promise = GraphQLUpload.parseValue(value) as Promise<FileUpload>;
    // Whoever awaits it handles the failure; until then it must not count as unhandled.
    promise.catch(() => undefined);
    return { promise };
  },
});

/** The file part's bytes; a part that is missing or malformed is the client's error (BAD_USER_INPUT). */
export async function openUpload(file: IncomingFile): Promise<Readable> {
  try {
    return (await file.promise).createReadStream();
  } catch (err) {
    throw badInput(`The file part is missing or malformed: ${(err as Error).message}`, { field: 'file' });
  }
}

/** Reads and drops a file part nobody will store, so the request body does not stall. */
export function drain(file: IncomingFile): void {
  file.promise.then(
    (f) => {
      try {
        f.createReadStream().resume();
      } catch {
        // Already consumed or failed: nothing to drain.
      }
    },
    () => undefined,
  );
}

import 'reflect-metadata';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createPubSub } from '@graphql-yoga/subscription';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { resolverClasses } from './resolvers';
import { buildAppSchema } from './schema';

/** The SDL as committed in schema.graphql: sorted, so diffs show only real changes. */
export async function printAppSchema(): Promise<string> {
  const schema = await buildAppSchema(resolverClasses, null, createPubSub());
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}

export const schemaFile = path.resolve(__dirname, '../../../schema.graphql');

if (require.main === module) {
  printAppSchema()
    .then((sdl) => writeFile(schemaFile, sdl))
    .then(() => process.stdout.write(`Wrote ${schemaFile}\n`))
    .catch((err: unknown) => {
      process.stderr.write(`${String(err)}\n`);
      process.exit(1);
    });
}

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { generate } from '@graphql-codegen/cli';
import { parse } from 'yaml';

const ROOT = resolve(__dirname, '../../..');

describe('generated GraphQL client types', () => {
  it('match schema.graphql and operations.graphql (run `npm run codegen` after changing either)', async () => {
    const config = parse(await readFile(resolve(ROOT, 'codegen.yml'), 'utf8')) as object;
    const outputs = await generate({ ...config, cwd: ROOT, silent: true, verbose: false } as Parameters<typeof generate>[0], false);
    assert.ok(outputs.length > 0);
    for (const out of outputs) {
      const committed = await readFile(resolve(ROOT, out.filename), 'utf8').catch(() => '');
      assert.ok(committed === out.content, `${out.filename} is out of date: run npm run codegen`);
    }
  });
});

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { generate } from '@graphql-codegen/cli';
import { parse } from 'yaml';

const ROOT = resolve(__dirname, '../../..');

describe('generated GraphQL client types', () => {
  it('match schema.graphql and the operations (run `npm run codegen` after changing either)', async () => {
    const config = parse(await readFile(resolve(ROOT, 'codegen.yml'), 'utf8')) as object;
    const outputs = await generate({ ...config, cwd: ROOT, silent: true, verbose: false } as Parameters<typeof generate>[0], false);
    assert.deepEqual(outputs.map((o: { filename: string }) => o.filename).sort(), ['docs/examples/generated.ts', 'web/src/graphql/generated.ts']);
    for (const out of outputs) {
      const committed = await readFile(resolve(ROOT, out.filename), 'utf8').catch(() => '');
      assert.ok(committed === out.content, `${out.filename} is out of date: run npm run codegen`);
    }
  });

  it('type-check the Apollo Client + apollo-upload-client + graphql-ws example in docs/examples', async () => {
    const tsc = require.resolve('typescript/bin/tsc');
    await promisify(execFile)(process.execPath, [tsc, '-p', resolve(ROOT, 'docs/examples/tsconfig.json')], { cwd: ROOT }).catch((err: { stdout?: string }) => {
      assert.fail(`docs/examples does not type-check:\n${err.stdout ?? String(err)}`);
    });
  });
});

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';

const root = path.resolve(__dirname, '../../..');
const config = path.join(root, '.dependency-cruiser.cjs');
const cli = path.join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

/** Runs dependency-cruiser over `src` of `cwd` with the repository's rules. */
function cruise(cwd: string): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, [cli, 'src', '--config', config, '--output-type', 'err'], { cwd, encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('the dependency rule (imports point down the layers)', () => {
  it('holds for src/', () => {
    const { status, output } = cruise(root);
    assert.equal(status, 0, output);
  });

  it('catches a lower layer importing a higher one, the worker importing GraphQL, a write that bypasses the lifecycle, and videos reaching into webhooks', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'vp-depcruise-'));
    try {
      const files: Record<string, string> = {
        'src/app/api.ts': 'export const api = 1;\n',
        'src/domain/video-status.ts': "import { api } from '../app/api';\nexport const s = api;\n",
        'src/db/repositories/video-write.repository.ts': 'export class VideoWriteRepository {}\n',
        'src/db/repositories/video.repository.ts': "import type { Lifecycle } from '../../videos/video-lifecycle';\nexport type L = Lifecycle;\n",
        'src/videos/video-lifecycle.ts': "import { VideoWriteRepository } from '../db/repositories/video-write.repository';\nexport class Lifecycle { r = new VideoWriteRepository(); }\n",
        'src/videos/video-edit.service.ts': "import { VideoWriteRepository } from '../db/repositories/video-write.repository';\nexport const w = new VideoWriteRepository();\n",
        'src/graphql/context.ts': 'export interface Ctx { n: number }\n',
        'src/worker/purge.handler.ts': "import type { Ctx } from '../graphql/context';\nexport type C = Ctx;\n",
        'src/webhooks/webhook.service.ts': 'export class WebhookService {}\n',
        'src/videos/upload-finalizer.ts': "import { WebhookService } from '../webhooks/webhook.service';\nexport const w = new WebhookService();\n",
        'src/db/entities/webhook.entity.ts': "import type { WebhookService } from '../../webhooks/webhook.service';\nexport type W = WebhookService;\n",
      };
      for (const [file, text] of Object.entries(files)) {
        await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
        await writeFile(path.join(dir, file), text);
      }
      const { status, output } = cruise(dir);
      assert.notEqual(status, 0, output);
      for (const rule of ['base-imports-up', 'infra-imports-up', 'worker-imports-api-layers', 'video-rows-written-by-the-lifecycle-only', 'videos-imports-webhooks']) {
        assert.match(output, new RegExp(`${rule}:`), `${rule} not reported:\n${output}`);
      }
      assert.match(output, /infra-imports-up: src\/db\/entities\/webhook\.entity\.ts/, 'webhooks sit in the services layer, above db');
      assert.doesNotMatch(output, /video-lifecycle\.ts → src\/db\/repositories\/video-write/, 'the lifecycle itself may write');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

import { UnrecoverableError } from 'bullmq';
import type { Config } from '../config/config';
import type { Logger } from '../config/logger';
import type { AppPubSub } from '../graphql/pubsub';
import type { Infrastructure } from '../infrastructure';
import type { JobHandlers } from './job-registry';
import { createUploadCleanupHandler } from './upload-cleanup.job';

export interface WorkerDeps {
  config: Config;
  logger: Logger;
  infra: Infrastructure;
  pubSub: AppPubSub;
}

/** Wires one handler per declared job. */
export function createJobHandlers(deps: WorkerDeps): JobHandlers {
  return {
    'uploads.cleanup': createUploadCleanupHandler(deps),
    'video.transcode': async () => {
      throw new UnrecoverableError('Transcoding is not available yet');
    },
  };
}

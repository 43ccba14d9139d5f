import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import { Router } from 'express';
import { adminAuth, type AdminAuthDeps } from './admin-auth';

export const BULL_BOARD_PATH = '/admin/queues';

/** Bull Board (queues, jobs, retries) for operators, behind admin auth. */
export function bullBoardRouter(queues: Queue[], auth: AdminAuthDeps): Router {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q)), serverAdapter: adapter });
  const router = Router();
  router.use(BULL_BOARD_PATH, adminAuth(auth), adapter.getRouter() as Router);
  return router;
}

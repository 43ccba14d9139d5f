import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The worker's upload cleanup reads videos by status (QUEUED ones to re-enqueue in id order,
 * UPLOADING ones past their expiry) every few minutes: an index led by status keeps that from
 * scanning the whole table.
 */
export class VideoStatusIndex1796000000001 implements MigrationInterface {
  name = 'VideoStatusIndex1796000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE videos ADD INDEX idx_videos_status (status, id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE videos DROP INDEX idx_videos_status');
  }
}

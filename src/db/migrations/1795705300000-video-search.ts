import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Search and sort of the public listing (issue 13). InnoDB FULLTEXT exists in MySQL 8 and
 * MariaDB 10.11; both build only one FULLTEXT index per ALTER, hence separate statements. The
 * popularity index serves MOST_VIEWED pages (view_count, id) without a filesort.
 */
export class VideoSearch1795705300000 implements MigrationInterface {
  name = 'VideoSearch1795705300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE videos ADD FULLTEXT INDEX ft_videos_text (title, description)');
    await q.query('ALTER TABLE videos ADD INDEX idx_videos_popular (visibility, status, view_count, id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE videos DROP INDEX idx_videos_popular');
    await q.query('ALTER TABLE videos DROP INDEX ft_videos_text');
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue 13: the owner's switch for downloads by other viewers. Off for every existing video. Plain SQL MySQL 8 and MariaDB 10.11 both accept. */
export class AllowDownload1764165000000 implements MigrationInterface {
  name = 'AllowDownload1764165000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE videos ADD COLUMN allow_download BOOLEAN NOT NULL DEFAULT FALSE AFTER visibility');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE videos DROP COLUMN allow_download');
  }
}

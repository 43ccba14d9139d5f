import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Caption tracks (issue 13): one row per video and language. Plain SQL that MySQL 8 and MariaDB 10.11 both accept. */
export class Captions1796100000001 implements MigrationInterface {
  name = 'Captions1796100000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE captions (
        id CHAR(36) NOT NULL,
        video_id CHAR(36) NOT NULL,
        language VARCHAR(35) NOT NULL,
        label VARCHAR(100) NOT NULL,
        kind VARCHAR(16) NOT NULL,
        file_key VARCHAR(255) NOT NULL,
        cue_count INT NOT NULL,
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
        PRIMARY KEY (id),
        UNIQUE KEY uq_captions_video_language (video_id, language),
        CONSTRAINT fk_captions_video FOREIGN KEY (video_id) REFERENCES videos (id) ON DELETE CASCADE
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE captions');
  }
}

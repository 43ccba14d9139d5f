import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Plain SQL that MySQL 8 and MariaDB 10.11 both accept. */
export class InitialSchema1764057600000 implements MigrationInterface {
  name = 'InitialSchema1764057600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id CHAR(36) NOT NULL,
        email VARCHAR(254) NOT NULL,
        password_hash VARCHAR(255) NOT NULL,
        display_name VARCHAR(80) NOT NULL,
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
        PRIMARY KEY (id),
        UNIQUE KEY uq_users_email (email)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await q.query(`
      CREATE TABLE videos (
        id CHAR(36) NOT NULL,
        owner_id CHAR(36) NOT NULL,
        title VARCHAR(200) NOT NULL,
        description TEXT NULL,
        status VARCHAR(16) NOT NULL,
        visibility VARCHAR(16) NOT NULL,
        failure_reason VARCHAR(500) NULL,
        source_key VARCHAR(255) NULL,
        source_filename VARCHAR(255) NULL,
        size_bytes BIGINT NULL,
        source_sha256 CHAR(64) NULL,
        duration_seconds DOUBLE NULL,
        width INT NULL,
        height INT NULL,
        source_video_codec VARCHAR(32) NULL,
        source_audio_codec VARCHAR(32) NULL,
        hls_key VARCHAR(255) NULL,
        dash_key VARCHAR(255) NULL,
        poster JSON NULL,
        storyboard JSON NULL,
        encoding_settings JSON NULL,
        view_count BIGINT NOT NULL DEFAULT 0,
        upload_expires_at DATETIME(3) NULL,
        ready_at DATETIME(3) NULL,
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
        PRIMARY KEY (id),
        KEY idx_videos_listing (visibility, status, created_at),
        KEY idx_videos_owner (owner_id, created_at),
        CONSTRAINT fk_videos_owner FOREIGN KEY (owner_id) REFERENCES users (id) ON DELETE CASCADE
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await q.query(`
      CREATE TABLE renditions (
        id INT UNSIGNED NOT NULL AUTO_INCREMENT,
        video_id CHAR(36) NOT NULL,
        height INT NOT NULL,
        width INT NOT NULL,
        bitrate INT NOT NULL,
        codecs VARCHAR(64) NOT NULL,
        frame_rate DOUBLE NULL,
        playlist_key VARCHAR(255) NOT NULL,
        init_key VARCHAR(255) NULL,
        PRIMARY KEY (id),
        UNIQUE KEY uq_renditions_video_height (video_id, height),
        CONSTRAINT fk_renditions_video FOREIGN KEY (video_id) REFERENCES videos (id) ON DELETE CASCADE
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await q.query(`
      CREATE TABLE watch_history (
        user_id CHAR(36) NOT NULL,
        video_id CHAR(36) NOT NULL,
        position_seconds DOUBLE NOT NULL,
        watched_at DATETIME(3) NOT NULL,
        PRIMARY KEY (user_id, video_id),
        KEY idx_watch_history_user_time (user_id, watched_at),
        CONSTRAINT fk_watch_history_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
        CONSTRAINT fk_watch_history_video FOREIGN KEY (video_id) REFERENCES videos (id) ON DELETE CASCADE
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE watch_history');
    await q.query('DROP TABLE renditions');
    await q.query('DROP TABLE videos');
    await q.query('DROP TABLE users');
  }
}

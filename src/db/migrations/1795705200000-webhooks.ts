import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Webhook endpoints and their delivery log (issue 13). Plain SQL that MySQL 8 and MariaDB 10.11 both accept. */
export class Webhooks1795705200000 implements MigrationInterface {
  name = 'Webhooks1795705200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhooks (
        id CHAR(36) NOT NULL,
        owner_id CHAR(36) NOT NULL,
        url VARCHAR(2048) NOT NULL,
        events JSON NOT NULL,
        secret VARCHAR(100) NOT NULL,
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        PRIMARY KEY (id),
        KEY idx_webhooks_owner (owner_id, created_at),
        CONSTRAINT fk_webhooks_owner FOREIGN KEY (owner_id) REFERENCES users (id) ON DELETE CASCADE
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await q.query(`
      CREATE TABLE webhook_deliveries (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
        webhook_id CHAR(36) NOT NULL,
        message_id VARCHAR(64) NOT NULL,
        event VARCHAR(32) NOT NULL,
        attempt INT NOT NULL,
        status_code INT NULL,
        latency_ms INT NULL,
        succeeded TINYINT(1) NOT NULL,
        error VARCHAR(500) NULL,
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        PRIMARY KEY (id),
        KEY idx_webhook_deliveries_webhook (webhook_id, id),
        KEY idx_webhook_deliveries_created (created_at),
        CONSTRAINT fk_webhook_deliveries_webhook FOREIGN KEY (webhook_id) REFERENCES webhooks (id) ON DELETE CASCADE
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE webhook_deliveries');
    await q.query('DROP TABLE webhooks');
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 9: administrators are marked by a flag set with `npm run admin -- <email>`, not by an email
 * list that whoever signs up first with a listed address would match. Nobody is an admin until
 * the command says so. Plain SQL MySQL 8 and MariaDB 10.11 both accept.
 */
export class AdminFlag1796000005000 implements MigrationInterface {
  name = 'AdminFlag1796000005000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE users ADD COLUMN is_admin BOOLEAN NOT NULL DEFAULT FALSE AFTER display_name');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE users DROP COLUMN is_admin');
  }
}

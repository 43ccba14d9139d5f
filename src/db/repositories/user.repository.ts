import { In, type DataSource, type Repository } from 'typeorm';
import { UserEntity } from '../entities';

export class UserRepository {
  private readonly repo: Repository<UserEntity>;

  constructor(ds: DataSource) {
    this.repo = ds.getRepository(UserEntity);
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.repo.findOneBy({ id });
  }

  findByEmail(email: string): Promise<UserEntity | null> {
    return this.repo.findOneBy({ email });
  }

  /**
   * The email as the database compares it (the column's collation folds case and accents, so
   * "José@x" and "jose@X" are one account): the key of per-account limits.
   */
  async comparisonKey(email: string): Promise<string> {
    const rows = (await this.repo.query('SELECT SHA2(HEX(WEIGHT_STRING(CONVERT(? USING utf8mb4) COLLATE utf8mb4_unicode_ci)), 256) AS k', [email])) as { k: string }[];
    return rows[0]!.k;
  }

  /** Makes the account with this email an administrator; false when there is none. */
  async grantAdmin(email: string): Promise<boolean> {
    const user = await this.findByEmail(email);
    if (!user) return false;
    await this.repo.update({ id: user.id }, { isAdmin: true });
    return true;
  }

  /** One statement for any number of ids; order is the caller's business. */
  findByIds(ids: readonly string[]): Promise<UserEntity[]> {
    return ids.length ? this.repo.findBy({ id: In([...ids]) }) : Promise.resolve([]);
  }

  /** Inserts; returns false when the email is taken (unique key), so callers need no race-prone pre-check. */
  async insert(user: Pick<UserEntity, 'id' | 'email' | 'passwordHash' | 'displayName'>): Promise<boolean> {
    try {
      await this.repo.insert(user);
      return true;
    } catch (err) {
      if ((err as { code?: string }).code === 'ER_DUP_ENTRY') return false;
      throw err;
    }
  }
}

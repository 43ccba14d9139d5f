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

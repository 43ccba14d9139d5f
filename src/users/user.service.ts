import { randomUUID } from 'node:crypto';
import { AppError, badInput } from '../errors';
import type { UserEntity } from '../db/entities';
import type { UserRepository } from '../db/repositories/user.repository';
import { hashPassword, verifyPassword } from './password';
import type { RateBudget } from '../cache/rate-budget';
import type { SignInLimiter } from './sign-in-limiter';
import type { TokenService } from './tokens';

export interface AuthResult {
  token: string;
  user: UserEntity;
}

// A real hash to compare against when the email is unknown, so both paths cost the same time.
const dummyHash = hashPassword('timing-equaliser');

export class UserService {
  constructor(
    private readonly users: UserRepository,
    private readonly tokens: TokenService,
    private readonly limiter: SignInLimiter,
    /** Sign-ups per client address: also what keeps "already registered" from being probed at speed. */
    private readonly signUps: Pick<RateBudget, 'consume'>,
  ) {}

  /** `clientIp`: the caller's address, as the HTTP layer determined it (trust proxy). */
  async signUp(emailRaw: string, password: string, displayNameRaw: string, clientIp: string): Promise<AuthResult> {
    await this.signUps.consume(clientIp);
    const email = emailRaw.trim().toLowerCase();
    const displayName = displayNameRaw.trim();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254) badInputThrow('email', 'Invalid email address');
    if (password.length < 8 || password.length > 256) badInputThrow('password', 'Password must be 8 to 256 characters');
    if (displayName.length < 1 || displayName.length > 80) badInputThrow('displayName', 'Display name must be 1 to 80 characters');
    const user = { id: randomUUID(), email, passwordHash: await hashPassword(password), displayName };
    if (!(await this.users.insert(user))) throw badInput('Email is already registered', { field: 'email' });
    const saved = await this.users.findById(user.id);
    if (!saved) throw new Error('User vanished after insert');
    return { token: await this.tokens.sign(saved.id), user: saved };
  }

  async signIn(emailRaw: string, password: string, clientIp: string): Promise<AuthResult> {
    const email = emailRaw.trim().toLowerCase();
    // Counted before the password is checked (see SignInLimiter), under the key the database
    // compares emails by, so no spelling of an address gets a budget of its own.
    const account = await this.users.comparisonKey(email);
    await this.limiter.begin(account, clientIp);
    const user = await this.users.findByEmail(email);
    const ok = await verifyPassword(user?.passwordHash ?? (await dummyHash), password);
    if (!user || !ok) throw new AppError('UNAUTHENTICATED', 'Wrong email or password');
    await this.limiter.succeeded(account, clientIp);
    return { token: await this.tokens.sign(user.id), user };
  }
}

function badInputThrow(field: string, message: string): never {
  throw badInput(message, { field });
}

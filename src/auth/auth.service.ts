/**
 * Users, roles and bearer tokens. Tokens are random 256-bit strings handed to the client
 * once; only their SHA-256 is stored, with an expiry, so a stolen database leaks no usable
 * token and any engine process can check a token issued by another.
 */
import { createHash } from 'node:crypto';
import { AppError, ErrorCode } from '../common/app-error';
import { PROTOTYPE_NAMES } from '../common/objects.util';
import { Clock } from '../common/clock';
import type { IdGenerator } from '../common/ids';
import type { Actor } from '../compiler/process-machine.contract';
import { Database } from '../persistence/database';
import { hashPassword, verifyPassword } from './password-hash';

/** Roles of the platform itself (not of a process): checked by the API, not by the YAML. */
export const PLATFORM_ROLES = {
  admin: 'admin',
  processOwner: 'process_owner',
  auditor: 'auditor',
} as const;

export const USERNAME_PATTERN = /^[A-Za-z0-9_.@-]{1,100}$/;
export const ROLE_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,99}$/;
export const MIN_PASSWORD_LENGTH = 8;
export const ATTRIBUTE_PATTERN = /^[a-z][A-Za-z0-9_]{0,49}$/;

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

export interface UserSummary {
  readonly username: string;
  readonly roles: readonly string[];
  readonly displayName: string | null;
  readonly attributes: Readonly<Record<string, string>>;
  readonly createdAt: string;
}

/** Failed sign-ins allowed per username within the window before it is locked for the rest of it. */
export const MAX_FAILED_SIGN_INS = 10;
/** Failed sign-ins allowed per client (any usernames) within the window: one client cannot lock every username. */
export const MAX_FAILED_SIGN_INS_PER_CLIENT = 50;
export const SIGN_IN_WINDOW_MINUTES = 15;

export class AuthService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly tokenTtlMinutes: number,
  ) {}

  /** Creates a user. Refuses weak passwords, malformed names and roles, and duplicates. */
  async addUser(input: {
    username: string;
    password: string;
    roles: readonly string[];
    displayName?: string;
    attributes?: Readonly<Record<string, string>>;
  }): Promise<UserSummary> {
    if (!USERNAME_PATTERN.test(input.username)) {
      throw new AppError(ErrorCode.BadRequest, `username '${input.username}' may only use letters, digits and _ . @ - (at most 100)`);
    }
    if (input.password.length < MIN_PASSWORD_LENGTH) {
      throw new AppError(ErrorCode.BadRequest, `password must be at least ${MIN_PASSWORD_LENGTH} characters`);
    }
    const roles = [...new Set(input.roles.map((r) => r.trim()).filter(Boolean))];
    const badRole = roles.find((r) => !ROLE_PATTERN.test(r));
    if (badRole) throw new AppError(ErrorCode.BadRequest, `role '${badRole}' must start with a letter and use letters, digits and _`);
    if (roles.length === 0) throw new AppError(ErrorCode.BadRequest, 'a user needs at least one role');
    if (roles.includes('system')) throw new AppError(ErrorCode.BadRequest, "the role 'system' is reserved for the engine itself");
    const builtIn = roles.find((r) => PROTOTYPE_NAMES.has(r));
    if (builtIn) throw new AppError(ErrorCode.BadRequest, `'${builtIn}' cannot be a role: it is a built-in name of JavaScript objects`);
    const attributes = { ...(input.attributes ?? {}) };
    for (const name of Object.keys(attributes)) {
      if (!ATTRIBUTE_PATTERN.test(name) || RESERVED_ATTRIBUTES.has(name)) {
        throw new AppError(
          ErrorCode.BadRequest,
          `attribute name '${name}' must start with a lower-case letter and use letters, digits and _ (not 'id', 'roles' or 'name': give the name with --name)`,
        );
      }
    }
    const displayName = input.displayName?.trim() || undefined;
    if (displayName !== undefined && (displayName.length > 200 || [...displayName].some((c) => c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127))) {
      throw new AppError(ErrorCode.BadRequest, 'the display name must be at most 200 characters, without control characters');
    }
    const passwordHash = await hashPassword(input.password, this.ids.randomBytes(16));
    const createdAt = this.clock.now().toISOString();
    try {
      await this.db.transaction((tx) =>
        tx.run('INSERT INTO users (username, password_hash, roles, display_name, attributes, created_at) VALUES ($1, $2, $3, $4, $5, $6)', [
          input.username,
          passwordHash,
          JSON.stringify(roles),
          displayName ?? null,
          JSON.stringify(attributes),
          createdAt,
        ]),
      );
    } catch (err) {
      if (this.db.isUniqueViolation(err)) throw new AppError(ErrorCode.AlreadyExists, `user '${input.username}' already exists`);
      throw err;
    }
    return { username: input.username, roles, displayName: displayName ?? null, attributes, createdAt };
  }

  /** One user as stored (no password hash), or undefined. */
  async user(username: string): Promise<UserSummary | undefined> {
    const [row] = await this.db.read((q) =>
      q.rows<UserRow & { created_at: string }>('SELECT username, roles, display_name, attributes, created_at FROM users WHERE username = $1', [username]),
    );
    if (!row) return undefined;
    return {
      username: row.username,
      roles: JSON.parse(row.roles),
      displayName: row.display_name,
      attributes: row.attributes ? JSON.parse(row.attributes) : {},
      createdAt: row.created_at,
    };
  }

  /**
   * The names to print for these login ids (display name, or the id itself when the user has
   * none or is unknown, e.g. \`system\`): for time lines and documents, where a person's name belongs.
   */
  async displayNames(usernames: Iterable<string>): Promise<Record<string, string>> {
    const ids = [...new Set(usernames)].filter((u) => USERNAME_PATTERN.test(u));
    const names: Record<string, string> = {};
    if (ids.length === 0) return names;
    const rows = await this.db.read((q) =>
      q.rows<{ username: string; display_name: string | null }>(
        `SELECT username, display_name FROM users WHERE username IN (${ids.map((_, i) => `$${i + 1}`).join(', ')})`,
        ids,
      ),
    );
    for (const row of rows) if (row.display_name) names[row.username] = row.display_name;
    return names;
  }

  async countUsers(): Promise<number> {
    const [row] = await this.db.read((q) => q.rows<{ n: number | string }>('SELECT COUNT(*) AS n FROM users'));
    return Number(row.n);
  }

  /**
   * Checks a username and password and issues a bearer token. Failed attempts are stored, so
   * the lockout holds across restarts and engine processes: after MAX_FAILED_SIGN_INS failures
   * for a username, or MAX_FAILED_SIGN_INS_PER_CLIENT from one client, within the window, the
   * username (or the client) is refused until the oldest failure leaves the window.
   */
  async issueToken(username: string, password: string, client = 'unknown'): Promise<{ token: string; expiresAt: string; roles: string[] }> {
    const nowMs = this.clock.now().getTime();
    const windowMs = SIGN_IN_WINDOW_MINUTES * 60_000;
    const since = new Date(nowMs - windowMs).toISOString();
    const clientKey = client.slice(0, 100);
    const [byUser, byClient] = await this.db.read(async (q) => [
      await q.rows<{ at: string }>(`SELECT at FROM sign_in_failures WHERE username = $1 AND at > $2 ORDER BY at LIMIT ${MAX_FAILED_SIGN_INS}`, [
        username,
        since,
      ]),
      await q.rows<{ at: string }>(`SELECT at FROM sign_in_failures WHERE client = $1 AND at > $2 ORDER BY at LIMIT ${MAX_FAILED_SIGN_INS_PER_CLIENT}`, [
        clientKey,
        since,
      ]),
    ]);
    const lockedUntil = (rows: { at: string }[], max: number) => (rows.length >= max ? new Date(Date.parse(rows[0].at) + windowMs).toISOString() : undefined);
    const userLock = lockedUntil(byUser, MAX_FAILED_SIGN_INS);
    if (userLock)
      throw new AppError(ErrorCode.TooManyAttempts, `too many failed sign-ins for '${username}'; try again after ${userLock}`, { retryAt: userLock });
    const clientLock = lockedUntil(byClient, MAX_FAILED_SIGN_INS_PER_CLIENT);
    if (clientLock)
      throw new AppError(ErrorCode.TooManyAttempts, `too many failed sign-ins from this client; try again after ${clientLock}`, { retryAt: clientLock });
    const [user] = await this.db.read((q) =>
      q.rows<{ password_hash: string; roles: string }>('SELECT password_hash, roles FROM users WHERE username = $1', [username]),
    );
    // Verify against a dummy hash when the user is unknown, so timing does not reveal which usernames exist.
    const ok = await verifyPassword(password, user?.password_hash ?? DUMMY_HASH);
    if (!user || !ok) {
      await this.db.transaction(async (tx) => {
        // Forget what left the window, so the table stays as small as the window's traffic.
        await tx.run('DELETE FROM sign_in_failures WHERE at <= $1', [since]);
        await tx.run('INSERT INTO sign_in_failures (id, username, client, at) VALUES ($1, $2, $3, $4)', [
          this.ids.uuid(),
          username.slice(0, 100),
          clientKey,
          new Date(nowMs).toISOString(),
        ]);
      });
      throw new AppError(ErrorCode.Unauthenticated, 'wrong username or password');
    }
    await this.db.transaction((tx) => tx.run('DELETE FROM sign_in_failures WHERE username = $1', [username]));
    const token = this.ids.randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + this.tokenTtlMinutes * 60_000).toISOString();
    await this.db.transaction(async (tx) => {
      await tx.run('DELETE FROM api_tokens WHERE username = $1 AND expires_at < $2', [username, now.toISOString()]);
      await tx.run('INSERT INTO api_tokens (token_hash, username, expires_at, created_at) VALUES ($1, $2, $3, $4)', [
        sha256(token),
        username,
        expiresAt,
        now.toISOString(),
      ]);
    });
    return { token, expiresAt, roles: JSON.parse(user.roles) };
  }

  /** The actor a stored user acts as (roles and attributes as stored now), or undefined when there is no such user. */
  async actorFor(username: string): Promise<Actor | undefined> {
    const [row] = await this.db.read((q) => q.rows<UserRow>('SELECT username, roles, display_name, attributes FROM users WHERE username = $1', [username]));
    return row ? actorOf(row) : undefined;
  }

  /** Resolves a bearer token to the actor it was issued to. */
  async authenticate(token: string): Promise<Actor> {
    const [row] = await this.db.read((q) =>
      q.rows<UserRow & { expires_at: string }>(
        'SELECT t.username, u.roles, u.display_name, u.attributes, t.expires_at FROM api_tokens t JOIN users u ON u.username = t.username WHERE t.token_hash = $1',
        [sha256(token)],
      ),
    );
    if (!row) throw new AppError(ErrorCode.Unauthenticated, 'unknown token: sign in again with POST /auth/token');
    if (row.expires_at <= this.clock.now().toISOString()) {
      throw new AppError(ErrorCode.Unauthenticated, `token expired at ${row.expires_at}: sign in again with POST /auth/token`);
    }
    return actorOf(row);
  }
}

interface UserRow {
  username: string;
  roles: string;
  display_name: string | null;
  attributes: string | null;
}

/** Attribute names that would shadow what `actor.<name>` already means in expressions. */
const RESERVED_ATTRIBUTES = new Set(['id', 'roles', 'name']);

/** The actor a user row acts as: roles, attributes (when any) and display name (when set). */
function actorOf(row: UserRow): Actor {
  const attributes = row.attributes ? (JSON.parse(row.attributes) as Record<string, string>) : {};
  return {
    id: row.username,
    roles: JSON.parse(row.roles),
    ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
    ...(row.display_name ? { name: row.display_name } : {}),
  };
}

const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

/**
 * The id and randomness port. Everything that names a new row (instances, timers, documents,
 * outbox messages, revisions) or needs secret bytes (tokens, salts) asks an IdGenerator, so the
 * planning code stays pure and a test can predict every id it will see.
 */
import { randomBytes, randomUUID } from 'node:crypto';

export abstract class IdGenerator {
  /** A new version-4 UUID. */
  abstract uuid(): string;
  /** `n` random bytes: cryptographically strong in production (tokens, password salts). */
  abstract randomBytes(n: number): Buffer;
}

export class CryptoIdGenerator extends IdGenerator {
  uuid(): string {
    return randomUUID();
  }
  randomBytes(n: number): Buffer {
    return randomBytes(n);
  }
}

/**
 * Predictable ids for tests: `00000000-0000-4000-8000-000000000001`, `…002`, … (well-formed
 * version-4 UUIDs that sort in the order they were made), and bytes from a counter.
 * Never use outside tests: its "random" bytes are not secret.
 */
export class SequentialIds extends IdGenerator {
  private count = 0;
  private bytes = 0;

  constructor(private readonly prefix = '00000000') {
    super();
    if (!/^[0-9a-f]{8}$/.test(prefix)) throw new RangeError(`the prefix must be 8 lower-case hex digits, got '${prefix}'`);
  }

  uuid(): string {
    this.count += 1;
    return `${this.prefix}-0000-4000-8000-${this.count.toString(16).padStart(12, '0')}`;
  }

  randomBytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = (this.bytes++ * 37 + 11) & 0xff;
    return out;
  }

  /** How many uuids were handed out so far. */
  get issued(): number {
    return this.count;
  }
}

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { ApiKey, KeyScopes, Role } from '../../protocol/index.js';

/** What a cluster member answers (503) while the cluster has no credentials yet. */
export const CREDENTIALS_PENDING = 'cluster credentials not yet created; wait for a leader';

/** The roles of a coordinator's own two keys: its admin key and its worker join token. */
const OWN_ROLES: readonly Role[] = ['admin', 'worker'];

/** What a token lets its holder do. */
export interface Grant {
  role: Role;
  /** The managed key it is (see protocol/keys.ts); none for the coordinator's own two. */
  keyId?: string;
  /** When it stops working. */
  expiresAt?: number;
  /** What its tasks are limited to. */
  scopes?: KeyScopes;
}

export const CREDENTIALS_FILE = 'credentials.json';

export interface CreatedCredentials {
  adminKey: string;
  workerToken: string;
  file: string;
}

/** Keys given to a coordinator up front (`DTF_ADMIN_KEY`, `DTF_WORKER_TOKEN`), not created. */
export interface GivenKeys {
  adminKey: string;
  workerToken: string;
}

type HashedKeys = GivenKeys & { adminKeySha256: string; workerTokenSha256: string };

export function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Checks presented tokens against the stored hashes. Tokens are random, so a plain hash suffices. */
export class Credentials {
  /** Tokens seen recently and what each granted (or nothing), so a busy client is hashed once. */
  private readonly recent = new Map<string, Grant | undefined>();
  /** The managed keys, as the state has them now. */
  private keys: () => Iterable<ApiKey> = () => [];

  private constructor(private hashes: Map<Role, Buffer>) {}

  /** Checks tokens against `keys` too (the state's), besides the coordinator's own two. */
  withKeys(keys: () => Iterable<ApiKey>): this {
    this.keys = keys;
    this.recent.clear();
    return this;
  }

  /** A key was created, revoked or rotated: no token's grant may be taken from before. */
  keysChanged(): void {
    this.recent.clear();
  }

  /**
   * Cluster mode: no credentials until the replicated `SetCredentials` entry is applied
   * (`set`); until then `ready` is false and every token is refused.
   */
  static pending(): Credentials {
    return new Credentials(new Map());
  }

  /** Whether there are credentials to check against (false in a cluster still without them). */
  get ready(): boolean {
    return this.hashes.size === OWN_ROLES.length;
  }

  /** Takes the replicated hashes (hex), replacing any before. */
  set(hashes: { adminKeySha256: string; workerTokenSha256: string }): void {
    this.hashes = new Map<Role, Buffer>([
      ['admin', Buffer.from(hashes.adminKeySha256, 'hex')],
      ['worker', Buffer.from(hashes.workerTokenSha256, 'hex')],
    ]);
    this.recent.clear();
  }

  /** New plain keys and their hashes (hex); nothing is stored. */
  static generate(): HashedKeys {
    return Credentials.hashed({
      adminKey: `dtf_admin_${randomBytes(24).toString('base64url')}`,
      workerToken: `dtf_worker_${randomBytes(24).toString('base64url')}`,
    });
  }

  /** Keys with their hashes (hex). */
  static hashed(keys: GivenKeys): HashedKeys {
    return {
      ...keys,
      adminKeySha256: sha256(keys.adminKey).toString('hex'),
      workerTokenSha256: sha256(keys.workerToken).toString('hex'),
    };
  }

  /**
   * Why `given` keys cannot be used with the hashes already kept (another key was created or
   * given before), or undefined when they match: a key is changed by a new data dir, not here.
   */
  static mismatch(
    given: GivenKeys,
    kept: { adminKeySha256: string; workerTokenSha256: string },
  ): string | undefined {
    const hashed = Credentials.hashed(given);
    const differ = [
      hashed.adminKeySha256 !== kept.adminKeySha256 ? 'DTF_ADMIN_KEY' : undefined,
      hashed.workerTokenSha256 !== kept.workerTokenSha256 ? 'DTF_WORKER_TOKEN' : undefined,
    ].filter((name) => name !== undefined);
    if (differ.length === 0) return undefined;
    return `${differ.join(' and ')} ${differ.length === 1 ? 'differs' : 'differ'} from the key this coordinator's data already holds: give the keys it was started with first, or a new data dir`;
  }

  /** Writes the plain keys once to `<dataDir>/credentials.json` (0600); returns the file. */
  static writeFile(dataDir: string, keys: { adminKey: string; workerToken: string }): string {
    const file = join(dataDir, CREDENTIALS_FILE);
    writeFileSync(
      file,
      `${JSON.stringify({ adminKey: keys.adminKey, workerToken: keys.workerToken }, null, 2)}\n`,
      { mode: 0o600 },
    );
    return file;
  }

  /**
   * Loads the stored hashes; on first start keeps the hashes of the `given` keys, or else creates
   * an admin key and a worker join token, keeps only their hashes and writes the plain values
   * once to `<dataDir>/credentials.json` (0600). Given keys that differ from those kept throw.
   */
  static ensure(
    db: Database.Database,
    dataDir: string,
    now: number,
    given?: GivenKeys,
  ): { credentials: Credentials; created?: CreatedCredentials } {
    const rows = db.prepare('SELECT role, token_sha256 FROM credentials').all() as Array<{
      role: Role;
      token_sha256: string;
    }>;
    if (rows.length === OWN_ROLES.length) {
      const hashes = new Map(
        rows.map((r) => [r.role, Buffer.from(r.token_sha256, 'hex')] as const),
      );
      if (given !== undefined) {
        const kept = {
          adminKeySha256: hashes.get('admin')!.toString('hex'),
          workerTokenSha256: hashes.get('worker')!.toString('hex'),
        };
        const problem = Credentials.mismatch(given, kept);
        if (problem !== undefined) throw new Error(problem);
      }
      return { credentials: new Credentials(hashes) };
    }
    const keys = given === undefined ? Credentials.generate() : Credentials.hashed(given);
    const insert = db.prepare(
      'INSERT OR REPLACE INTO credentials (role, token_sha256, created_at) VALUES (?, ?, ?)',
    );
    db.transaction(() => {
      insert.run('admin', keys.adminKeySha256, now);
      insert.run('worker', keys.workerTokenSha256, now);
    })();
    const credentials = Credentials.pending();
    credentials.set(keys);
    // Given keys are the giver's to keep: they are written nowhere.
    if (given !== undefined) return { credentials };
    const file = Credentials.writeFile(dataDir, keys);
    return {
      credentials,
      created: { adminKey: keys.adminKey, workerToken: keys.workerToken, file },
    };
  }

  /** What a token grants at `now`, or undefined when it matches no key that works then. */
  grantOf(token: string | undefined, now = Date.now()): Grant | undefined {
    if (token === undefined || token === '') return undefined;
    let granted: Grant | undefined;
    if (this.recent.has(token)) granted = this.recent.get(token);
    else {
      granted = this.lookUp(token);
      if (this.recent.size >= 1_000) this.recent.clear();
      this.recent.set(token, granted);
    }
    return granted?.expiresAt !== undefined && granted.expiresAt <= now ? undefined : granted;
  }

  private lookUp(token: string): Grant | undefined {
    const presented = sha256(token);
    for (const [role, hash] of this.hashes) {
      if (timingSafeEqual(presented, hash)) return { role };
    }
    const hex = presented.toString('hex');
    for (const key of this.keys()) {
      if (key.revokedAt !== undefined) continue;
      const current = key.sha256 === hex;
      if (!current && key.previous?.sha256 !== hex) continue;
      const ends = [key.expiresAt, current ? undefined : key.previous?.until].filter(
        (at): at is number => at !== undefined,
      );
      return {
        role: key.role,
        keyId: key.id,
        ...(ends.length === 0 ? {} : { expiresAt: Math.min(...ends) }),
        ...(key.scopes === undefined ? {} : { scopes: key.scopes }),
      };
    }
    return undefined;
  }
}

/** The bearer token from an `Authorization` header, if present. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import {
  CREDENTIALS_FILE,
  type CreatedCredentials,
  Credentials,
  type GivenKeys,
} from './auth/index.js';
import type { RaftHost } from './cluster/index.js';
import type { CoordinatorState } from './state/index.js';

/**
 * The credentials a coordinator checks tokens against: none with `--insecure-no-auth`; alone,
 * those of its data dir (created, and shown once, on its first start); in a cluster, those
 * the log carries (pending until a leader creates them, see `ClusterCredentials`).
 */
export function openCredentials(
  options: {
    insecureNoAuth: boolean;
    clustered: boolean;
    dataDir: string;
    startedAt: number;
    givenKeys?: GivenKeys | undefined;
  },
  db: Database.Database,
  state: CoordinatorState,
  logger: Logger,
): { credentials: Credentials | undefined; created: CreatedCredentials | undefined } {
  if (options.insecureNoAuth) {
    logger.warn(
      'authentication is OFF (--insecure-no-auth): anyone who can reach this port can submit commands',
    );
    return { credentials: undefined, created: undefined };
  }
  if (options.clustered) {
    const credentials = Credentials.pending();
    // Restored from a snapshot taken after the credentials' entry: no event will set them.
    if (state.credentials !== undefined) {
      const problem =
        options.givenKeys && Credentials.mismatch(options.givenKeys, state.credentials);
      if (problem) throw new Error(problem);
      credentials.set(state.credentials);
    }
    return { credentials, created: undefined };
  }
  const ensured = Credentials.ensure(db, options.dataDir, options.startedAt, options.givenKeys);
  if (ensured.created !== undefined) {
    logger.info(
      {
        adminKey: ensured.created.adminKey,
        workerToken: ensured.created.workerToken,
        file: ensured.created.file,
      },
      `created credentials; they are shown once and kept in ${CREDENTIALS_FILE}`,
    );
  }
  return { credentials: ensured.credentials, created: ensured.created };
}

/**
 * One admin key and worker token for a whole cluster: a leader that finds none in the applied
 * state proposes the keys it was given, or creates them. The proposal carries only hashes;
 * created keys are written and logged only if its entry is the one that took effect (another
 * leader's may have been applied first).
 */
export class ClusterCredentials {
  private proposing = false;

  constructor(
    private readonly cluster: RaftHost,
    private readonly state: CoordinatorState,
    private readonly dataDir: string,
    private readonly logger: Logger,
    private readonly given: GivenKeys | undefined,
  ) {}

  /** Call periodically: proposes new credentials when this member leads a cluster without. */
  ensure(): void {
    if (this.proposing || !this.cluster.isLeader || this.state.credentials !== undefined) return;
    this.proposing = true;
    const given = this.given;
    const keys = given === undefined ? Credentials.generate() : Credentials.hashed(given);
    this.cluster.submit(
      {
        type: 'SetCredentials',
        now: Date.now(),
        adminKeySha256: keys.adminKeySha256,
        workerTokenSha256: keys.workerTokenSha256,
      },
      (events) => {
        this.proposing = false;
        const set = events.some((e) => e.type === 'CredentialsSet');
        if (set && given === undefined) this.announce(keys);
      },
      () => {
        this.proposing = false;
      },
    );
  }

  private announce(keys: ReturnType<typeof Credentials.generate>): void {
    let file: string | undefined;
    try {
      file = Credentials.writeFile(this.dataDir, keys);
    } catch (error) {
      this.logger.error(
        { err: error },
        `could not write ${CREDENTIALS_FILE}; the log below has the keys`,
      );
    }
    this.logger.info(
      { adminKey: keys.adminKey, workerToken: keys.workerToken, file },
      `created the cluster's credentials; they are shown once and kept in ${CREDENTIALS_FILE}`,
    );
  }
}

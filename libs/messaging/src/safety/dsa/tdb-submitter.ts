import { Inject, Injectable, Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { APP_CONFIG, type AppConfig, type DsaTdbSetting } from '../../config';
import { Db } from '../../db/db.service';
import { tdbStatementOf, type TdbStatement } from './tdb-statement';
import { recordSubmissions, unsubmittedDecisions, type SubmissionRecord } from './tdb-statements.repository';
import { TDB_MAX_BATCH } from './tdb-vocabulary';

/** The database refused the call for a reason a retry cannot fix (a bad token: 401, 403, ...). */
export class TdbRefused extends Error {}

/** What one run did. */
export interface SubmitOutcome {
  enabled: boolean;
  /** Statements per POST /api/v1/statements call that the database stored (each at most 100). */
  batches: number[];
  accepted: number;
  existing: number;
  rejected: number;
  /** Calls answered with a 5xx or lost on the network, then retried. */
  retries: number;
}

const TIMEOUT_MS = 30_000;
const MAX_TRIES = 5;
/** How many decisions one run takes on (the next run carries on). */
const RUN_LIMIT = 1000;

/** The database's JSON answers, as far as the submitter reads them. */
interface AnswerBody {
  statements?: Array<{ uuid?: string; puid?: string }>;
  errors?: Record<string, unknown>;
}
interface Answer {
  status: number;
  body: AnswerBody | null;
}

/**
 * The EU DSA Transparency Database's API (its routes/api_v1.php, StatementAPIController,
 * StatementMultipleAPIController): `Authorization: Bearer <token>`;
 * GET /api/v1/statement/existing-puid/{puid} answers 302 when the platform already has a
 * statement with that puid, 404 when not; POST /api/v1/statements `{statements: [1..100]}`
 * answers 201 `{statements: [...]}` (all stored), or 422 and stores none: `errors` keyed
 * `statement_<index>` for invalid ones, or `errors.existing_puids` for puids it already has.
 * A 5xx or a network error is retried with exponential backoff; after MAX_TRIES the run fails
 * (BullMQ's next run carries on).
 */
class TdbClient {
  retries = 0;

  constructor(private readonly setting: DsaTdbSetting) {}

  async hasPuid(puid: string): Promise<boolean> {
    const res = await this.call('GET', `/api/v1/statement/existing-puid/${encodeURIComponent(puid)}`);
    if (res.status === 302 || res.status === 200) return true;
    if (res.status === 404) return false;
    throw new TdbRefused(`existing-puid answered ${res.status}`);
  }

  postBatch(statements: TdbStatement[]): Promise<Answer> {
    return this.call('POST', '/api/v1/statements', { statements });
  }

  private async call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Answer> {
    for (let attempt = 1; ; attempt++) {
      let answer: Answer | null = null;
      let failure: unknown = null;
      try {
        const res = await fetch(`${this.setting.url}${path}`, {
          method,
          redirect: 'manual',
          headers: {
            authorization: `Bearer ${this.setting.token}`,
            accept: 'application/json',
            'content-type': 'application/json',
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
        const text = await res.text();
        let parsed: AnswerBody | null = null;
        try {
          parsed = text ? (JSON.parse(text) as AnswerBody) : null;
        } catch {
          parsed = { errors: { body: text.slice(0, 500) } };
        }
        answer = { status: res.status, body: parsed };
      } catch (err) {
        failure = err;
      }
      if (answer && answer.status < 500) return answer;
      if (attempt >= MAX_TRIES) {
        throw new Error(`${method} ${path}: ${answer ? `answered ${answer.status}` : String(failure)} after ${attempt} tries`);
      }
      this.retries++;
      await sleep(this.setting.retryBaseMs * 2 ** (attempt - 1));
    }
  }
}

/**
 * Sends the statements of reasons to the EU DSA Transparency Database (issue #29), when
 * DSA_TDB_URL and DSA_TDB_TOKEN are set: every decision not yet settled, as the export gives
 * it (GET /admin/v1/transparency/statements), skipping puids the database already has, in
 * batches of at most 100. Each answer is recorded in tdb_submission: accepted (with the
 * database's uuid), existing, or rejected with the database's errors (a 422 is recorded once,
 * not retried forever). Run by the DsaTdb job on a schedule.
 */
@Injectable()
export class TdbSubmitter {
  private readonly logger = new Logger(TdbSubmitter.name);

  constructor(
    private readonly db: Db,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get enabled(): boolean {
    return this.config.dsaTdb !== null;
  }

  async submitPending(limit = RUN_LIMIT): Promise<SubmitOutcome> {
    const outcome: SubmitOutcome = { enabled: this.enabled, batches: [], accepted: 0, existing: 0, rejected: 0, retries: 0 };
    if (!this.config.dsaTdb) return outcome;
    const client = new TdbClient(this.config.dsaTdb);
    try {
      const decisions = await unsubmittedDecisions(this.db, limit);
      const toSend: Array<{ actionId: string; statement: TdbStatement }> = [];
      for (const d of decisions) {
        const statement = tdbStatementOf(d);
        if (await client.hasPuid(statement.puid)) {
          await this.record(outcome, [{ actionId: d.actionId, puid: statement.puid, status: 'existing' }]);
        } else {
          toSend.push({ actionId: d.actionId, statement });
        }
      }
      for (let i = 0; i < toSend.length; i += TDB_MAX_BATCH) await this.sendBatch(client, outcome, toSend.slice(i, i + TDB_MAX_BATCH));
    } finally {
      outcome.retries = client.retries;
    }
    return outcome;
  }

  /** One batch; on a 422 the refused statements are recorded and the rest is sent again (the database stored none). */
  private async sendBatch(client: TdbClient, outcome: SubmitOutcome, batch: Array<{ actionId: string; statement: TdbStatement }>) {
    let rest = batch;
    while (rest.length > 0) {
      const res = await client.postBatch(rest.map((x) => x.statement));
      if (res.status === 201 || res.status === 200) {
        const stored = Array.isArray(res.body?.statements) ? res.body.statements : [];
        const uuidOf = new Map(stored.map((s) => [s.puid, s.uuid ?? null]));
        await this.record(
          outcome,
          rest.map((x) => ({
            actionId: x.actionId,
            puid: x.statement.puid,
            status: 'accepted',
            tdbUuid: uuidOf.get(x.statement.puid) ?? null,
          })),
        );
        outcome.batches.push(rest.length);
        return;
      }
      if (res.status !== 422) throw new TdbRefused(`POST /api/v1/statements answered ${res.status}`);
      const errors: Record<string, unknown> = res.body?.errors ?? {};
      const existing = new Set<string>(Array.isArray(errors.existing_puids) ? (errors.existing_puids as string[]) : []);
      const settled: SubmissionRecord[] = [];
      rest.forEach((x, i) => {
        const own = errors[`statement_${i}`];
        if (own) settled.push({ actionId: x.actionId, puid: x.statement.puid, status: 'rejected', errors: own });
        else if (existing.has(x.statement.puid)) settled.push({ actionId: x.actionId, puid: x.statement.puid, status: 'existing' });
      });
      // A 422 that names none of them refuses the call as a whole: each is recorded with its errors, never sent again.
      if (settled.length === 0) {
        for (const x of rest) settled.push({ actionId: x.actionId, puid: x.statement.puid, status: 'rejected', errors });
      }
      for (const s of settled.filter((x) => x.status === 'rejected'))
        this.logger.warn(`statement ${s.puid} refused: ${JSON.stringify(s.errors)}`);
      await this.record(outcome, settled);
      const done = new Set(settled.map((s) => s.actionId));
      rest = rest.filter((x) => !done.has(x.actionId));
    }
  }

  private async record(outcome: SubmitOutcome, rows: SubmissionRecord[]) {
    await recordSubmissions(this.db, rows);
    for (const r of rows) outcome[r.status]++;
  }
}

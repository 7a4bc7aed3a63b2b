import { Injectable } from '@nestjs/common';
import { Db } from '../../db/db.service';
import { tdbStatementOf, type TdbStatement } from './tdb-statement';
import { decisionsIn } from './tdb-statements.repository';

/**
 * GET /admin/v1/transparency/statements: one statement of reasons per decision taken in the
 * period (a decision belongs to the period it was taken in), in the EU DSA Transparency
 * Database's submission format. The submitter (TdbSubmitter) sends the same statements.
 */
@Injectable()
export class TdbStatementsService {
  constructor(private readonly db: Db) {}

  async statements(from: Date, to: Date): Promise<{ statements: TdbStatement[] }> {
    const decisions = await decisionsIn(this.db, from, to);
    return { statements: decisions.map(tdbStatementOf) };
  }
}

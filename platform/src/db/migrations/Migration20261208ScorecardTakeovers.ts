import { Migration } from '@mikro-orm/migrations';

/**
 * A scoring run taken over from a worker that stopped before finishing is counted apart from its attempts,
 * so a crash does not use up the attempts a provider failure is allowed. Runs so far had none counted.
 */
export class Migration20261208ScorecardTakeovers extends Migration {
  override name = 'Migration20261208ScorecardTakeovers';

  override up(): void {
    this.addSql('alter table scorecards add column takeovers integer not null default 0;');
  }
}

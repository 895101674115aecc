import { Migration } from '@mikro-orm/migrations';

/**
 * Candidates can be updated (`PATCH /v1/candidates/{id}`), so they say when, as jobs and interviews do. A
 * candidate created before had not changed since.
 */
export class Migration20261209CandidateUpdatedAt extends Migration {
  override name = 'Migration20261209CandidateUpdatedAt';

  override up(): void {
    this.addSql('alter table candidates add column updated_at timestamptz null;');
    this.addSql('update candidates set updated_at = created_at;');
    this.addSql('alter table candidates alter column updated_at set not null;');
  }
}

import { Migration } from '@mikro-orm/migrations';

/** Barge-in: how far into an interviewer turn's audio the candidate spoke over it. */
export class Migration20261126Interruptions extends Migration {
  override name = 'Migration20261126Interruptions';

  override up(): void {
    this.addSql('alter table interview_turns add column interrupted_at_ms integer null;');
  }
}

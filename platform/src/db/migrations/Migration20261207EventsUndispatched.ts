import { Migration } from '@mikro-orm/migrations';

/**
 * A delivery is claimed only once no earlier event of its interview awaits fan-out: the claim probes this
 * index per candidate. Only undispatched events are in it, so it stays a few rows whatever the event log holds.
 */
export class Migration20261207EventsUndispatched extends Migration {
  override name = 'Migration20261207EventsUndispatched';

  override up(): void {
    this.addSql(
      'create index events_undispatched_idx on events (interview_id, sequence) where dispatched_at is null;',
    );
  }
}

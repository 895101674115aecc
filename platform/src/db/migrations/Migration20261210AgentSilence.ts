import { Migration } from '@mikro-orm/migrations';

/**
 * The silence that ends a spoken answer, as the candidate's page asked for it (`silence_ms` of
 * `POST /v1/session/livekit`), kept with the request for an agent so whichever worker claims it listens the
 * same way. Null: the default.
 */
export class Migration20261210AgentSilence extends Migration {
  override name = 'Migration20261210AgentSilence';

  override up(): void {
    this.addSql('alter table interview_agents add column silence_ms integer null;');
  }
}

import { Migration } from '@mikro-orm/migrations';

/**
 * When an endpoint's last attempt failed, so that a failure after a quiet spell starts a new streak rather
 * than extend one from days before: five days of failure means failing all along, not twice five days apart.
 */
export class Migration20261207EndpointLastFailure extends Migration {
  override name = 'Migration20261207EndpointLastFailure';

  override up(): void {
    this.addSql('alter table webhook_endpoints add column last_failure_at timestamptz null;');
  }
}

import { Migration } from '@mikro-orm/migrations';

/**
 * Which request holds an idempotency key's claim. A request may outlive its claim's lock only if it stops
 * renewing it (it crashed); the client's retry then claims the key anew, and a late finish of the first
 * must not overwrite the retry's record. Rows claimed before this have none, and are done or lapsed within
 * a minute of the upgrade.
 */
export class Migration20261207IdempotencyClaims extends Migration {
  override name = 'Migration20261207IdempotencyClaims';

  override up(): void {
    this.addSql('alter table idempotency_keys add column claim_id uuid null;');
  }
}

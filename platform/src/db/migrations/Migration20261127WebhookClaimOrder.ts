import { Migration } from '@mikro-orm/migrations';

/**
 * The claim reads due deliveries `order by next_attempt_at, id`: with the id in the index, PostgreSQL walks
 * it in that order and stops at the claim's limit, instead of sorting the whole backlog on every claim.
 */
export class Migration20261127WebhookClaimOrder extends Migration {
  override name = 'Migration20261127WebhookClaimOrder';

  override up(): void {
    this.addSql(`
      create index webhook_deliveries_claim_idx on webhook_deliveries (next_attempt_at, id) where status = 'pending';
      drop index webhook_deliveries_due_idx;
    `);
  }
}

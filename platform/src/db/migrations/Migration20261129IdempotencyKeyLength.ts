import { Migration } from '@mikro-orm/migrations';

/**
 * A session's idempotency keys are stored as `{interview id}:{client's key}`, and the client may send 255
 * characters, so the column cannot stop at 255. The API still refuses a client key over 255 characters.
 * From varchar to text needs no rewrite of the table or its primary key index.
 */
export class Migration20261129IdempotencyKeyLength extends Migration {
  override name = 'Migration20261129IdempotencyKeyLength';

  override up(): void {
    this.addSql('alter table idempotency_keys alter column key type text;');
  }
}

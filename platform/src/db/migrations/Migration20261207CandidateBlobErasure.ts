import { Migration } from '@mikro-orm/migrations';

/**
 * An erased candidate's files are deleted after the rows commit, from storage that may fail: the tombstone
 * says when they were, and the sweep retries the ones still pending (a handful, so a partial index).
 * Tombstones from before this migration had their files deleted with them.
 */
export class Migration20261207CandidateBlobErasure extends Migration {
  override name = 'Migration20261207CandidateBlobErasure';

  override up(): void {
    this.addSql('alter table candidates add column blobs_erased_at timestamptz null;');
    this.addSql('update candidates set blobs_erased_at = deleted_at where deleted_at is not null;');
    this.addSql(
      `create index candidates_blob_erasure_pending_idx on candidates (deleted_at)
         where deleted_at is not null and blobs_erased_at is null;`,
    );
  }
}

import { Migration } from '@mikro-orm/migrations';

/**
 * The job as an interview started with it (see jobs/job-snapshot.ts). Interviews started before have none
 * and go on reading the job itself.
 */
export class Migration20261207InterviewJobSnapshot extends Migration {
  override name = 'Migration20261207InterviewJobSnapshot';

  override up(): void {
    this.addSql('alter table interviews add column job_snapshot jsonb null;');
  }
}

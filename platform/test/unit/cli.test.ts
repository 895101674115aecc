import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/orm.ts';
import { createLogger } from '../../src/observability/logger.ts';

const cli = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'viva-cli-'));
const run = (...args: string[]) =>
  spawnSync(process.execPath, [cli, ...args], {
    env: { ...process.env, VIVA_DATA_DIR: dataDir, DATABASE_URL: '' },
    encoding: 'utf8',
  });

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Read from the CLI's own embedded database, between its runs (only one process may hold it at a time). */
async function signingKeyCount(): Promise<number> {
  const db = await openDatabase({ databaseUrl: null, dataDir, logger: createLogger('silent') });
  try {
    const [row] = await db.orm.em
      .getConnection()
      .execute<{ count: string }[]>('select count(*) as count from signing_keys');
    return Number(row?.count);
  } finally {
    await db.close();
  }
}

describe('viva CLI (on the embedded database)', () => {
  it('migrates, then creates a tenant and prints its keys once', () => {
    expect(run('migrate').stdout).toContain('migrations applied');
    const created = run('tenant', 'create', '--name', 'Acme', '--origin', 'https://careers.acme.com');
    expect(created.status, created.stderr).toBe(0);
    const out = JSON.parse(created.stdout) as {
      tenant: { name: string; allowed_origins: string[] };
      api_keys: { test: string };
    };
    expect(out.tenant).toMatchObject({ name: 'Acme', allowed_origins: ['https://careers.acme.com'] });
    expect(out.api_keys.test).toMatch(/^sk_test_/);
  });

  it('updates a tenant, and refuses an unknown one', () => {
    const created = JSON.parse(run('tenant', 'create', '--name', 'Umbrella').stdout) as {
      tenant: { id: string };
    };
    const updated = run(
      'tenant',
      'update',
      created.tenant.id,
      '--origin',
      'https://jobs.umbrella.com',
      '--logo-url',
      'https://jobs.umbrella.com/logo.png',
    );
    expect(updated.status, updated.stderr).toBe(0);
    expect(JSON.parse(updated.stdout)).toMatchObject({
      name: 'Umbrella',
      allowed_origins: ['https://jobs.umbrella.com'],
      logo_url: 'https://jobs.umbrella.com/logo.png',
    });
    const cleared = run('tenant', 'update', created.tenant.id, '--clear-logo');
    expect(JSON.parse(cleared.stdout)).toMatchObject({ logo_url: null });
    const unknown = run('tenant', 'update', 'ten_00000000000000000000000000', '--name', 'X');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('No tenant ten_00000000000000000000000000');
    const nothing = run('tenant', 'update', created.tenant.id);
    expect(nothing.status).toBe(2);
  });

  it('rotates the session-token signing key', () => {
    const rotated = run('keys', 'rotate');
    expect(rotated.status, rotated.stderr).toBe(0);
    expect(rotated.stdout).toMatch(/signed with sig_[0-9a-z]{26}/);
  });

  it('refuses bad input with a clear line and exit code 2', () => {
    const noName = run('tenant', 'create');
    expect(noName.status).toBe(2);
    expect(noName.stderr).toMatch(/name/);
    const badOrigin = run('tenant', 'create', '--name', 'X', '--origin', 'careers.acme.com/jobs');
    expect(badOrigin.status).toBe(2);
    expect(badOrigin.stderr).toMatch(/allowed_origins/);
    const unknown = run('frobnicate');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('usage:');
    const typo = run('tenant', 'create', '--nmae', 'X');
    expect(typo.status).toBe(2);
    expect(typo.stderr).toMatch(/^viva: Unknown option '--nmae'.* \(see viva tenant create --help\)\n$/);
    const nothing = run('tenant', 'update', 'ten_06h0aanv5w000nbtfhyqgtycvm');
    expect(nothing.status).toBe(2);
    expect(nothing.stderr).toBe(
      'viva: nothing to change: give --name, --origin, --logo-url or --clear-logo\n',
    );
    const both = run(
      'tenant',
      'update',
      'ten_06h0aanv5w000nbtfhyqgtycvm',
      '--logo-url',
      'https://a.example/l.png',
      '--clear-logo',
    );
    expect(both.stderr).toBe('viva: give --logo-url or --clear-logo, not both\n');
    const notAnId = run('tenant', 'update', 'acme', '--name', 'Acme');
    expect(notAnId.stderr).toBe('viva: "acme" is not a tenant id (ten_…)\n');
  });

  it('lists tenants a page at a time, newest first', () => {
    const first = JSON.parse(run('tenant', 'create', '--name', 'Paged One').stdout) as {
      tenant: { id: string };
    };
    const second = JSON.parse(run('tenant', 'create', '--name', 'Paged Two').stdout) as {
      tenant: { id: string };
    };
    const page = run('tenant', 'list', '--limit', '1');
    expect(page.status, page.stderr).toBe(0);
    expect(JSON.parse(page.stdout)).toMatchObject({
      object: 'list',
      data: [{ id: second.tenant.id, object: 'tenant', name: 'Paged Two' }],
      has_more: true,
    });
    const next = run('tenant', 'list', '--limit', '1', '--starting-after', second.tenant.id);
    expect(JSON.parse(next.stdout)).toMatchObject({ data: [{ id: first.tenant.id }] });
    const tooMany = run('tenant', 'list', '--limit', '1000');
    expect(tooMany.status).toBe(2);
    expect(tooMany.stderr).toBe('viva: limit must be <= 100\n');
  });

  it('issues a tenant a new key, shown once, in the mode asked for', () => {
    const created = JSON.parse(run('tenant', 'create', '--name', 'Locked Out').stdout) as {
      tenant: { id: string };
    };
    const issued = run('tenant', 'keys', 'create', created.tenant.id, '--mode', 'live', '--name', 'Recovery');
    expect(issued.status, issued.stderr).toBe(0);
    expect(JSON.parse(issued.stdout)).toMatchObject({
      object: 'api_key',
      livemode: true,
      name: 'Recovery',
      scopes: ['*'],
      secret: expect.stringMatching(/^sk_live_[0-9A-Za-z]{38}$/),
    });
    const narrow = run(
      'tenant',
      'keys',
      'create',
      created.tenant.id,
      '--mode',
      'test',
      '--scope',
      'jobs:read',
    );
    expect(JSON.parse(narrow.stdout)).toMatchObject({ livemode: false, scopes: ['jobs:read'] });
    const unknown = run('tenant', 'keys', 'create', 'ten_00000000000000000000000000', '--mode', 'test');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toBe('viva: No tenant ten_00000000000000000000000000.\n');
    const noMode = run('tenant', 'keys', 'create', created.tenant.id);
    expect(noMode.status).toBe(2);
    expect(noMode.stderr).toBe('viva: tenant keys create needs --mode test or --mode live\n');
    const badMode = run('tenant', 'keys', 'create', created.tenant.id, '--mode', 'prod');
    expect(badMode.stderr).toBe('viva: mode must be one of: test, live\n');
  });

  it("does nothing but print a command's usage for --help or -h after it", async () => {
    const before = await signingKeyCount();
    for (const ask of ['--help', '-h']) {
      const help = run('keys', 'rotate', ask);
      expect(help.status, help.stderr).toBe(0);
      expect(help.stdout).toBe(
        'usage:\n  viva keys rotate                               start signing session tokens with a new key; old tokens keep working\n',
      );
    }
    expect(await signingKeyCount()).toBe(before);
    for (const command of [
      ['migrate'],
      ['worker'],
      ['tenant', 'list'],
      ['tenant', 'create', '--name', 'Not Made'],
      ['tenant', 'update', 'ten_06h0aanv5w000nbtfhyqgtycvm', '--name', 'X'],
      ['tenant', 'keys', 'create', 'ten_06h0aanv5w000nbtfhyqgtycvm', '--mode', 'test'],
    ]) {
      const help = run(...command, '--help');
      expect(help.status, `${command.join(' ')}: ${help.stderr}`).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^usage:\\n  viva ${command.slice(0, 2).join(' ')}`));
    }
    const list = JSON.parse(run('tenant', 'list', '--limit', '100').stdout) as { data: { name: string }[] };
    expect(list.data.map((t) => t.name)).not.toContain('Not Made');
    const group = run('tenant', '--help');
    expect(group.status).toBe(0);
    expect(group.stdout).toContain('viva tenant keys create ID --mode test|live');
    expect(group.stdout).not.toContain('viva keys rotate');
  });

  it('refuses what a command does not take, with exit code 2, before doing anything', () => {
    for (const [args, message] of [
      [['migrate', '--dry-run'], /^viva: Unknown option '--dry-run'.* \(see viva migrate --help\)\n$/],
      [['migrate', 'now'], /^viva: migrate takes no argument "now" \(see viva migrate --help\)\n$/],
      [['keys', 'rotate', '--force'], /^viva: Unknown option '--force'/],
      [['worker', '--concurrency', '4'], /^viva: Unknown option '--concurrency'/],
      [['tenant', 'list', '--all'], /^viva: Unknown option '--all'/],
      [
        [
          'tenant',
          'update',
          'ten_06h0aanv5w000nbtfhyqgtycvm',
          'ten_06h0aanv5w000nbtfhyqgtycvm',
          '--name',
          'X',
        ],
        /^viva: tenant update takes no argument "ten_06h0aanv5w000nbtfhyqgtycvm"/,
      ],
      [['tenant', 'update', '--name', 'X'], /^viva: tenant update needs the tenant's id \(ten_…\)\n$/],
    ] as const) {
      const refused = run(...args);
      expect(refused.status, `${args.join(' ')}: ${refused.stderr}`).toBe(2);
      expect(refused.stderr).toMatch(message);
      expect(refused.stdout).toBe('');
    }
  });

  it('prints its usage on stdout when asked, and exits 0', () => {
    for (const ask of ['help', '--help', '-h']) {
      const help = run(ask);
      expect(help.status, ask).toBe(0);
      expect(help.stdout).toContain('viva tenant create --name NAME');
    }
  });
});

describe('viva CLI on a database it cannot reach', () => {
  it('names DATABASE_URL in one line, and exits 1', () => {
    for (const command of [['migrate'], ['worker'], ['keys', 'rotate'], ['tenant', 'list']]) {
      const refused = spawnSync(process.execPath, [cli, ...command], {
        env: {
          ...process.env,
          DATABASE_URL: 'postgres://viva:hunter2@127.0.0.1:1/viva',
          VIVA_DATA_DIR: dataDir,
        },
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(refused.status, `${command.join(' ')}: ${refused.stderr}`).toBe(1);
      expect(refused.stderr).toBe(
        'viva: cannot use the PostgreSQL database at 127.0.0.1:1: connection refused (check DATABASE_URL)\n',
      );
    }
  });
});

describe('pnpm viva', () => {
  it("keeps the CLI's exit code: 2 for bad input, as the quickstart promises", () => {
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    // The pnpm running this test, else the one on PATH; a pnpm shipped as JavaScript runs under this Node.
    const pnpm = process.env.npm_execpath || 'pnpm';
    const [command, args] = /\.[cm]?js$/.test(pnpm) ? [process.execPath, [pnpm]] : [pnpm, [] as string[]];
    const refused = spawnSync(command, [...args, '--silent', 'viva', 'tenant', 'create'], {
      cwd: root,
      env: { ...process.env, VIVA_DATA_DIR: dataDir, DATABASE_URL: '' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(refused.status, `${refused.stdout}${refused.stderr}`).toBe(2);
    expect(refused.stderr).toBe('viva: tenant create needs --name NAME\n');
  });
});

describe('the embedded database', () => {
  it('is refused to a second process while one holds it', async () => {
    const { startEmbeddedPostgres } = await import('../../src/db/embedded-postgres.ts');
    const dir = mkdtempSync(join(tmpdir(), 'viva-lock-'));
    const held = await startEmbeddedPostgres(dir);
    try {
      const second = spawnSync(process.execPath, [cli, 'migrate'], {
        env: { ...process.env, VIVA_DATA_DIR: dir, DATABASE_URL: '' },
        encoding: 'utf8',
      });
      expect(second.status).toBe(1);
      expect(second.stderr).toMatch(/is in use by process \d+/);
    } finally {
      await held.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is taken over from a process that died holding it (a closed terminal, kill -9)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'viva-lock-'));
    try {
      const embedded = fileURLToPath(new URL('../../src/db/embedded-postgres.ts', import.meta.url));
      const died = spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const { startEmbeddedPostgres } = await import(${JSON.stringify(embedded)});
           await startEmbeddedPostgres(${JSON.stringify(dir)});
           process.kill(process.pid, 'SIGKILL');`,
        ],
        { encoding: 'utf8' },
      );
      expect(died.signal, died.stderr).toBe('SIGKILL');
      const next = spawnSync(process.execPath, [cli, 'migrate'], {
        env: { ...process.env, VIVA_DATA_DIR: dir, DATABASE_URL: '' },
        encoding: 'utf8',
      });
      expect(next.status, next.stderr).toBe(0);
      expect(next.stdout).toContain('migrations applied');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

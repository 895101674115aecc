import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'viva-cli-'));
const run = (...args: string[]) =>
  spawnSync(process.execPath, [cli, ...args], {
    env: { ...process.env, VIVA_DATA_DIR: dataDir, DATABASE_URL: '' },
    encoding: 'utf8',
  });

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

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
    expect(typo.stderr).toMatch(/^viva: Unknown option '--nmae'.* \(see viva --help\)\n$/);
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

  it('prints its usage on stdout when asked, and exits 0', () => {
    for (const ask of ['help', '--help', '-h']) {
      const help = run(ask);
      expect(help.status, ask).toBe(0);
      expect(help.stdout).toContain('viva tenant create --name NAME');
    }
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

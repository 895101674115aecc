import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The verification snippets in docs/webhooks.md, run on deliveries signed by the reference Standard Webhooks
 * library: snippets/verify.py by python3, and snippets/verify.go (standard library only) by the Go toolchain,
 * through a small main that feeds it a delivery. Both read {"secret", "headers", "body"} and say "verified"
 * (exit 0) or refuse (exit 1).
 */
const snippets = join(import.meta.dirname, '..', 'snippets');
const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

function delivery(secret: string, body: string, at = new Date(), msgId = 'evt_06h0b7k2a8000x3q9v1m5c2r8d') {
  return {
    'webhook-id': msgId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(msgId, at, body),
  };
}

type Verifier = (
  secret: string,
  headers: Record<string, string>,
  body: string,
) => { code: number | null; out: string };

function runner(command: string, args: string[]): Verifier {
  return (secret, headers, body) => {
    const run = spawnSync(command, args, {
      input: JSON.stringify({ secret, headers, body }),
      encoding: 'utf8',
    });
    if (run.error) throw run.error;
    return { code: run.status, out: `${run.stdout}${run.stderr}`.trim() };
  };
}

const python = runner('python3', [join(snippets, 'verify.py')]);

/** A program around the Go snippet, as a Go receiver would call it: headers in, `Verify`, a verdict out. */
const goMain = `package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"time"

	"viva.example/verify/vivawebhook"
)

func main() {
	var delivery struct {
		Secret  string            \`json:"secret"\`
		Headers map[string]string \`json:"headers"\`
		Body    string            \`json:"body"\`
	}
	if err := json.NewDecoder(os.Stdin).Decode(&delivery); err != nil {
		panic(err)
	}
	header := http.Header{}
	for name, value := range delivery.Headers {
		header.Set(name, value)
	}
	if err := vivawebhook.Verify(delivery.Secret, header, []byte(delivery.Body), 5*time.Minute); err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	fmt.Println("verified")
}
`;

let goBuild: string;
let go: Verifier;
beforeAll(() => {
  goBuild = mkdtempSync(join(tmpdir(), 'viva-verify-go-'));
  mkdirSync(join(goBuild, 'vivawebhook'));
  copyFileSync(join(snippets, 'verify.go'), join(goBuild, 'vivawebhook', 'verify.go'));
  writeFileSync(join(goBuild, 'go.mod'), 'module viva.example/verify\n\ngo 1.19\n');
  writeFileSync(join(goBuild, 'main.go'), goMain);
  const built = spawnSync('go', ['build', '-o', 'verify', '.'], { cwd: goBuild, encoding: 'utf8' });
  if (built.error) throw built.error;
  expect(built.status, `go build: ${built.stdout}${built.stderr}`).toBe(0);
  go = runner(join(goBuild, 'verify'), []);
});
afterAll(() => rmSync(goBuild, { recursive: true, force: true }));

const body = JSON.stringify({
  id: 'evt_1',
  type: 'interview.completed',
  data: { object: { name: 'Zoë' } },
});

describe.each([
  ['Python', () => python],
  ['Go', () => go],
])('the %s snippet', (_language, verifier) => {
  it('verifies a delivery signed by the reference library', () => {
    const secret = newSecret();
    expect(verifier()(secret, delivery(secret, body), body)).toEqual({ code: 0, out: 'verified' });
  });

  it('refuses a changed body, another secret, a stale timestamp and missing headers', () => {
    const verify = verifier();
    const secret = newSecret();
    const headers = delivery(secret, body);
    expect(verify(secret, headers, body.replace('Zoë', 'Zoe')).code).toBe(1);
    expect(verify(newSecret(), headers, body).code).toBe(1);
    const stale = delivery(secret, body, new Date(Date.now() - 10 * 60 * 1000));
    expect(verify(secret, stale, body).code).toBe(1);
    expect(verify(secret, { 'webhook-id': 'evt_1' }, body).code).toBe(1);
  });

  it('refuses a forged signature with non-ASCII characters as it refuses any other forgery', () => {
    // Anyone can send such a header: refusing it must not depend on it being ASCII (Python's
    // hmac.compare_digest raises TypeError on a non-ASCII str, which a receiver would answer with a 500).
    const verify = verifier();
    const secret = newSecret();
    const headers = delivery(secret, body);
    const forged = (signature: string) =>
      verify(secret, { ...headers, 'webhook-signature': signature }, body);
    const refusal = forged(`v1,${'A'.repeat(43)}=`);
    expect(refusal.code).toBe(1);
    expect(forged(`v1,é${'A'.repeat(42)}=`)).toEqual(refusal);
    expect(forged(`v1,${'Zoë'.repeat(15)}`)).toEqual(refusal);
  });

  it('accepts either of two signatures, as sent while a secret is rotated', () => {
    const verify = verifier();
    const [oldSecret, newOne] = [newSecret(), newSecret()];
    const headers = delivery(newOne, body);
    const both = `${delivery(oldSecret, body)['webhook-signature']} ${headers['webhook-signature']}`;
    expect(verify(oldSecret, { ...headers, 'webhook-signature': both }, body).code).toBe(0);
    expect(verify(newOne, { ...headers, 'webhook-signature': both }, body).code).toBe(0);
  });
});

describe('the Python snippet', () => {
  it('says why it refuses', () => {
    const secret = newSecret();
    const headers = delivery(secret, body);
    expect(python(secret, headers, body.replace('Zoë', 'Zoe')).out).toBe('no matching signature');
    const stale = delivery(secret, body, new Date(Date.now() - 10 * 60 * 1000));
    expect(python(secret, stale, body).out).toContain('tolerance');
    expect(python(secret, { 'webhook-id': 'evt_1' }, body).out).toBe('missing webhook headers');
  });
});

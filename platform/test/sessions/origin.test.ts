import { describe, expect, it } from 'vitest';
import { normaliseOrigin, originAllowed } from '../../src/sessions/origin.ts';

const allowed = ['https://careers.acme.example', 'http://localhost:3000', 'https://Jobs.Acme.Example:443/'];

describe('originAllowed', () => {
  it('admits a listed origin, compared after normalising case and default ports', () => {
    for (const origin of [
      'https://careers.acme.example',
      'https://CAREERS.acme.example',
      'https://careers.acme.example:443',
      'http://localhost:3000',
      'https://jobs.acme.example',
    ]) {
      expect(originAllowed(origin, allowed), origin).toBe(true);
    }
  });

  it('refuses anything that differs in scheme, host or port', () => {
    for (const origin of [
      'http://careers.acme.example',
      'https://careers.acme.example:8443',
      'https://evil.example',
      'https://careers.acme.example.evil.example',
      'https://evil-careers.acme.example',
      'https://acme.example',
      'http://localhost',
      'http://localhost:3001',
      'http://127.0.0.1:3000',
    ]) {
      expect(originAllowed(origin, allowed), origin).toBe(false);
    }
  });

  it('refuses values that are not http(s) origins, the opaque "null" origin included', () => {
    for (const origin of [
      'null',
      '',
      'file://',
      'chrome-extension://abcdef',
      'https://careers.acme.example/path',
      'https://user@careers.acme.example',
      'careers.acme.example',
    ]) {
      expect(originAllowed(origin, allowed), origin).toBe(false);
    }
  });

  it('admits a request without an Origin header (same-origin GET, or a server)', () => {
    expect(originAllowed(undefined, allowed)).toBe(true);
  });

  it('admits any origin when the list is empty (the tenant has not restricted embedding)', () => {
    expect(originAllowed('https://anywhere.example', [])).toBe(true);
    expect(originAllowed('null', [])).toBe(true);
  });

  it('never matches through an allowed entry that is not itself an origin', () => {
    expect(originAllowed('https://acme.example', ['not a url', 'https://acme.example/careers'])).toBe(false);
  });
});

describe('normaliseOrigin', () => {
  it('gives one canonical form', () => {
    expect(normaliseOrigin('HTTPS://Careers.Acme.Example:443')).toBe('https://careers.acme.example');
    expect(normaliseOrigin('http://localhost:80')).toBe('http://localhost');
    expect(normaliseOrigin('http://[::1]:3000')).toBe('http://[::1]:3000');
    expect(normaliseOrigin('https://xn--bcher-kva.example')).toBe('https://xn--bcher-kva.example');
    expect(normaliseOrigin('https://bücher.example')).toBe('https://xn--bcher-kva.example');
  });
});

import { request } from 'node:http';
import { expect } from 'vitest';

/** The demo ATS as a browser sees it: pages fetched and forms posted over HTTP, HTML read with regexes. */

export interface Page {
  status: number;
  headers: Headers;
  html: string;
}

export const secretKeys = /sk_(test|live)_/;

/** The job form as a recruiter fills it in (`dim2` left empty: a dimension without a name is left out). */
export const jobFields = {
  title: 'Robotics Software Engineer',
  description: 'Motion planning for warehouse robots.',
  questions: 'Tell me about a system you designed.\r\nHow do you handle an outage?\n\n',
  dim0_name: 'Problem solving',
  dim0_weight: '40',
  dim0_description: 'Breaks problems down.',
  dim0_level1: 'No approach.',
  dim0_level3: '',
  dim0_level5: 'Weighs trade-offs unprompted.',
  dim1_name: 'Communication',
  dim1_weight: '25',
  dim2_name: '',
  dim2_weight: '',
};

export function redirected(page: Page): string {
  expect(page.status, `${page.status} ${page.html.slice(0, 2000)}`).toBe(303);
  return page.headers.get('location')!;
}

/** The markup of `<section class="card" aria-labelledby="{id}">`. */
export function section(html: string, id: string): string {
  const start = html.indexOf(`<section class="card" aria-labelledby="${id}">`);
  expect(start, `section ${id} in ${html}`).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf('</section>', start));
}

/** What a reader sees: tags dropped, entities decoded, spaces collapsed. */
export function text(html: string): string {
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

export function demoBrowser(baseUrl: string) {
  async function open(path: string, init: RequestInit = {}): Promise<Page> {
    const res = await fetch(`${baseUrl}${path}`, { redirect: 'manual', ...init });
    return { status: res.status, headers: res.headers, html: await res.text() };
  }

  /** Posts a form as a browser does; `redirected()` then checks the POST/redirect/GET answer. */
  function submit(path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
    return open(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(fields).toString(),
    });
  }

  async function createJob(fields: Record<string, string> = jobFields): Promise<string> {
    const location = redirected(await submit('/demo/jobs', fields));
    const jobId = new URL(location, baseUrl).searchParams.get('job');
    expect(jobId).toMatch(/^job_/);
    return jobId!;
  }

  async function invite(jobId: string, name: string, email = ''): Promise<string> {
    const location = redirected(await submit('/demo/invitations', { job_id: jobId, name, email }));
    const interviewId = new URL(location, baseUrl).searchParams.get('invited');
    expect(interviewId).toMatch(/^int_/);
    return interviewId!;
  }

  /**
   * A GET sent exactly as written: fetch would resolve `..` before sending it, and add
   * `Cache-Control: no-cache` to a conditional request.
   */
  function rawGet(
    path: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request(`${baseUrl}${path}`, { path, headers }, (res) => {
        let body = '';
        res.on('data', (chunk) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  return { open, submit, createJob, invite, rawGet };
}

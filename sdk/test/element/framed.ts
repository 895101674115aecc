import type { InterviewError } from '../../src/client/types.ts';
import type AiInterview from '../../src/element/ai-interview.component.ts';
import type { SessionFixture } from './helpers.ts';

export interface FramedInterview {
  frame: HTMLIFrameElement;
  element: AiInterview;
  /** What the element dispatched as `interview-error`, in order. */
  errors: InterviewError[];
  /** The frame's Content-Security-Policy violations: directive, what was blocked, where. */
  violations: string[];
}

/**
 * An `<ai-interview>` alone in a same-origin `<iframe>`, as a host page of its own: the frame's `allow`
 * attribute and the `<meta>` in its head (a Content-Security-Policy) apply to the element and to nothing
 * else of the test page. The element is the source's, loaded by the frame itself, so that it reads the
 * frame's `document` and `navigator`. Remove `frame` when done.
 */
export async function framedInterview(
  session: SessionFixture,
  options: { allow?: string; head?: string; attributes?: Record<string, string> } = {},
): Promise<FramedInterview> {
  const frame = document.createElement('iframe');
  if (options.allow !== undefined) frame.allow = options.allow;
  frame.width = '800';
  frame.height = '900';
  const script = new URL('/src/element/ai-interview.ts', location.origin).href;
  frame.srcdoc = `<!doctype html><html lang="en"><head><meta charset="utf-8">${options.head ?? ''}
    <script type="module" src="${script}"></script></head><body></body></html>`;
  const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
  document.body.append(frame);
  await loaded;
  const frameWindow = frame.contentWindow!;
  const frameDocument = frame.contentDocument!;
  await frameWindow.customElements.whenDefined('ai-interview');

  const errors: InterviewError[] = [];
  const violations: string[] = [];
  frameDocument.addEventListener('securitypolicyviolation', (event) => {
    // The node that broke the policy, inside the element's shadow root: its opening tag says which it is.
    const node = event.composedPath()[0] as Element | undefined;
    const tag = node?.outerHTML?.slice(0, node.outerHTML.indexOf('>') + 1) ?? '';
    violations.push(
      `${event.violatedDirective} ${event.blockedURI} ${tag} (${event.sourceFile}:${event.lineNumber})`,
    );
  });
  frameDocument.addEventListener('interview-error', (event) => errors.push(event.detail));

  const element = frameDocument.createElement('ai-interview');
  for (const [name, value] of Object.entries({ locale: 'en', ...options.attributes })) {
    element.setAttribute(name, value);
  }
  element.apiBase = session.apiBase;
  element.sessionToken = session.token;
  frameDocument.body.append(element);
  return { frame, element, errors, violations };
}

import { expect, fixture, fixtureCleanup, html } from '@open-wc/testing';
import { emulateMedia, setViewport } from '@web/test-runner-commands';
import type AiInterview from '../../src/element/ai-interview.component.ts';
import { interviewFixture, newSession, part, until, untilCandidateTurn, untilScreen } from './helpers.ts';

/** sRGB channels 0..255 of a computed colour: `rgb()`, `rgba()`, `color(srgb …)` or `#rrggbb`. */
function channels(color: string): [number, number, number] {
  const value = color.trim();
  const hex = /^#([0-9a-f]{6})$/i.exec(value);
  if (hex)
    return [0, 2, 4].map((i) => Number.parseInt(hex[1]!.slice(i, i + 2), 16)) as [number, number, number];
  const rgb = /^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)/.exec(value);
  if (rgb) return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])];
  const srgb = /^color\(srgb\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)/.exec(value);
  if (srgb) return [Number(srgb[1]) * 255, Number(srgb[2]) * 255, Number(srgb[3]) * 255];
  throw new Error(`cannot read the colour ${JSON.stringify(color)}`);
}

function luminance(color: string): number {
  const [r, g, b] = channels(color).map((channel) => {
    const c = channel / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** The WCAG 2.1 contrast ratio of two colours. */
function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

function token(element: AiInterview, name: string): string {
  return getComputedStyle(element).getPropertyValue(`--ai-interview-color-${name}`);
}

async function preCheck(attributes: Record<string, string> = {}) {
  const session = await newSession();
  const element = await interviewFixture(session, { locale: 'en', ...attributes });
  await untilScreen(element, 'pre-check');
  return element;
}

describe('<ai-interview> theming', () => {
  afterEach(async () => {
    await emulateMedia({ colorScheme: 'light', reducedMotion: 'no-preference' });
    await setViewport({ width: 800, height: 600 });
  });

  it('takes its colours from custom properties set outside, and is styled through its parts', async () => {
    // Without transitions, a colour change shows at once in the computed style.
    await emulateMedia({ reducedMotion: 'reduce' });
    const element = await preCheck();
    const style = document.createElement('style');
    style.textContent = `
      ai-interview.branded { --ai-interview-color-primary: rgb(0, 102, 51); --ai-interview-radius: 0px; }
      ai-interview.branded::part(start-button) { text-transform: uppercase; }
      ai-interview.branded::part(consent) { border: 3px solid rgb(1, 2, 3); }
    `;
    document.head.append(style);
    try {
      element.classList.add('branded');
      const button = part(element, 'start-button');
      expect(getComputedStyle(button).backgroundColor).to.equal('rgb(0, 102, 51)');
      expect(getComputedStyle(button).borderTopLeftRadius).to.equal('0px');
      expect(getComputedStyle(button).textTransform).to.equal('uppercase');
      expect(getComputedStyle(part(element, 'consent')).borderTopColor).to.equal('rgb(1, 2, 3)');

      element.style.setProperty('--ai-interview-color-primary', 'rgb(120, 0, 60)');
      expect(getComputedStyle(button).backgroundColor).to.equal('rgb(120, 0, 60)');
    } finally {
      style.remove();
    }
  });

  it("keeps its text as designed inside a page's text styles, and sizes itself from its own font size", async () => {
    const session = await newSession();
    const style = document.createElement('style');
    // A page on the 62.5% root-size convention, and a section that centres, upper-cases, spaces and italicises.
    style.textContent = `
      html { font-size: 62.5%; }
      .shouting { text-align: center; text-transform: uppercase; letter-spacing: 2px; word-spacing: 6px;
        font-style: italic; font-weight: 700; text-indent: 3em; }
    `;
    document.head.append(style);
    try {
      const section = await fixture<HTMLElement>(html`
        <section class="shouting">
          <ai-interview locale="en" api-base=${session.apiBase} session-token=${session.token}></ai-interview>
        </section>
      `);
      const element = section.querySelector('ai-interview')!;
      await untilScreen(element, 'pre-check');
      const heading = element.shadowRoot!.querySelector('h2')!;
      const consent = element.shadowRoot!.querySelector<HTMLElement>('#consent-text')!;
      for (const [what, node] of Object.entries({ heading, consent })) {
        const computed = getComputedStyle(node);
        const text = {
          textAlign: computed.textAlign,
          textTransform: computed.textTransform,
          letterSpacing: computed.letterSpacing,
          wordSpacing: computed.wordSpacing,
          fontStyle: computed.fontStyle,
          textIndent: computed.textIndent,
        };
        expect(text, `${what}: ${JSON.stringify(text)}`).to.deep.equal({
          textAlign: 'start',
          textTransform: 'none',
          letterSpacing: 'normal',
          wordSpacing: '0px',
          fontStyle: 'normal',
          textIndent: '0px',
        });
      }
      expect(getComputedStyle(consent).fontWeight, 'the notice is not bold').to.equal('400');

      // The default size is the page's root size (10 px here), and the touch target still 44 px.
      const start = part(element, 'start-button');
      expect(start.getBoundingClientRect().height).to.be.at.least(44);

      // One property sizes it all: the heading is 1.375 times the base size, the button 2.75 times at least.
      for (const size of [16, 24]) {
        element.style.setProperty('--ai-interview-font-size', `${size}px`);
        expect(getComputedStyle(heading).fontSize, `heading at ${size} px`).to.equal(`${size * 1.375}px`);
        expect(start.getBoundingClientRect().height, `Start at ${size} px`).to.be.at.least(size * 2.75);
      }
    } finally {
      style.remove();
    }
  });

  it('takes a logo, a header and a footer through slots, and hides what is empty', async () => {
    const element = await preCheck();
    expect(part(element, 'logo').hidden, 'no logo in the session, none slotted').to.equal(true);
    expect(part(element, 'footer').hidden).to.equal(true);

    const logo = Object.assign(document.createElement('img'), {
      alt: 'Acme',
      slot: 'logo',
      width: 40,
      height: 20,
    });
    const footer = Object.assign(document.createElement('p'), {
      slot: 'footer',
      textContent: 'Help: help@acme.example',
    });
    element.append(logo, footer);
    await until(() => !part(element, 'footer').hidden, 'the footer shown', element);
    expect(part(element, 'logo').hidden).to.equal(false);
    expect(footer.checkVisibility()).to.equal(true);
    await expect(element).to.be.accessible();

    const header = Object.assign(document.createElement('div'), {
      slot: 'header',
      textContent: 'Acme careers',
    });
    element.append(header);
    await element.updateComplete;
    expect(header.checkVisibility()).to.equal(true);
    expect(part(element, 'title').checkVisibility(), 'the default header is replaced').to.equal(false);
  });

  it('meets 4.5:1 contrast with its default colours, light and dark', async () => {
    for (const theme of ['light', 'dark'] as const) {
      const element = await preCheck({ theme });
      const base = part(element, 'base');
      const surface = getComputedStyle(base).backgroundColor;
      const text = getComputedStyle(base).color;
      const button = getComputedStyle(part(element, 'start-button'));
      const ratios = {
        text: contrast(text, surface),
        muted: contrast(token(element, 'muted'), surface),
        startButton: contrast(button.color, button.backgroundColor),
        primaryOnSurface: contrast(token(element, 'primary'), surface),
        danger: contrast(token(element, 'danger'), surface),
        onDanger: contrast(token(element, 'on-danger'), token(element, 'danger')),
        title: contrast(getComputedStyle(part(element, 'title').lastElementChild!).color, surface),
      };
      for (const [what, ratio] of Object.entries(ratios)) {
        expect(ratio, `${theme} ${what}: ${ratio.toFixed(2)} (${JSON.stringify(ratios)})`).to.be.at.least(
          4.5,
        );
      }
      // Field borders and the focus ring are not text: 3:1 is the bar.
      expect(contrast(token(element, 'border'), surface)).to.be.at.least(3);
      if (theme === 'dark') expect(luminance(surface)).to.be.below(0.05);
      await expect(element).to.be.accessible();
      fixtureCleanup();
    }
  });

  it('follows the system colour scheme with theme="auto"', async () => {
    const element = await preCheck();
    expect(element.getAttribute('theme')).to.equal('auto');
    const surface = () => getComputedStyle(part(element, 'base')).backgroundColor;
    expect(surface()).to.equal('rgb(255, 255, 255)');
    await emulateMedia({ colorScheme: 'dark', reducedMotion: 'reduce' });
    expect(luminance(surface())).to.be.below(0.05);
    element.theme = 'light';
    await element.updateComplete;
    expect(surface()).to.equal('rgb(255, 255, 255)');
  });

  it('stops its animations when reduced motion is preferred', async () => {
    // No token yet: the element waits on its loading screen, spinner turning.
    const element = await fixture<AiInterview>(html`<ai-interview locale="en"></ai-interview>`);
    const spinner = element.shadowRoot!.querySelector('.spinner')!;
    expect(getComputedStyle(spinner).animationName).to.equal('spin');
    await emulateMedia({ reducedMotion: 'reduce' });
    expect(getComputedStyle(spinner).animationName).to.equal('none');
  });

  it('fits a 320 px wide frame, in both layouts', async () => {
    await setViewport({ width: 320, height: 640 });
    for (const layout of ['full', 'compact']) {
      const element = await preCheck({ layout });
      const base = part(element, 'base');
      expect(base.getBoundingClientRect().width).to.be.at.most(320);
      expect(base.scrollWidth, `${layout}: nothing overflows sideways`).to.be.at.most(base.clientWidth);
      const button = part(element, 'start-button').getBoundingClientRect();
      expect(button.right).to.be.at.most(320);
      await expect(element).to.be.accessible();
      fixtureCleanup();
    }
  });

  it('fits a 320 px wide frame while the interview runs, with its captions and answer box', async () => {
    await setViewport({ width: 320, height: 640 });
    const element = await preCheck();
    part<HTMLInputElement>(element, 'consent-checkbox').click();
    part(element, 'start-button').click();
    await untilScreen(element, 'live');
    await untilCandidateTurn(element);
    const base = part(element, 'base');
    expect(base.getBoundingClientRect().width).to.be.at.most(320);
    expect(base.scrollWidth, 'nothing overflows sideways').to.be.at.most(base.clientWidth);
    for (const name of ['captions', 'answer-input', 'send-button', 'end-button']) {
      const box = part(element, name).getBoundingClientRect();
      expect(box.left, `${name} starts inside`).to.be.at.least(0);
      expect(box.right, `${name} ends inside`).to.be.at.most(320);
    }
    await expect(element).to.be.accessible();
  });
});

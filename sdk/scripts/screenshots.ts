/**
 * `pnpm --filter @viva/sdk run screenshots`: the pictures of docs/embedding.md, taken of the real widget.
 *
 * It starts what an ATS page has around it, all on this machine: the platform in-process on the embedded
 * default (a temporary data directory), the platform's fake OpenAI server for speech-to-text (so live-mode
 * sessions take spoken answers and the pre-check shows the microphone), and a small page server on another
 * origin that loads the script-tag build from the platform's `/sdk/ai-interview.js`, as an ATS page would.
 * Chromium (Debian's, through playwright-core) hears test/fixtures/answer.wav on its fake microphone.
 * Every screen is reached by doing what a candidate does, and captured once its `part` is on the page:
 * no fixed sleeps. What the platform decides (request ids, the time left) differs from run to run.
 *
 *   node scripts/screenshots.ts                  every picture, into docs/images/
 *   node scripts/screenshots.ts live pre-check   only the pictures whose names start with these words
 *
 * It builds sdk/dist/cdn first when that is missing or older than sdk/src.
 */
import type { Page, Route } from 'playwright-core';
import { type NetworkProxy, startNetworkProxy } from '../test/support/network-proxy.ts';
import {
  acceptAndStart,
  blur,
  capture,
  captureWithLevel,
  newSession,
  openPage,
  openStage,
  type PageOptions,
  part,
  type Stage,
  sendTypedAnswer,
  typedAnswers,
  untilScreen,
  untilState,
  type Variant,
} from './screenshot-stage.ts';

// The screens -----------------------------------------------------------------------------------------------

interface Shot {
  name: string;
  run(stage: Stage): Promise<void>;
}

async function withPage(
  stage: Stage,
  variant: Variant,
  options: PageOptions,
  run: (page: Page, url: string) => Promise<void>,
): Promise<void> {
  const { context, page, url } = await openPage(stage, variant, options);
  try {
    await run(page, url);
  } finally {
    await context.close();
  }
}

function loading(variant: Variant): Shot {
  return {
    name: `loading-${variant}`,
    async run(stage) {
      const session = await newSession(stage);
      const options = { token: session.token, apiBase: stage.platform.url };
      await withPage(stage, variant, options, async (page, url) => {
        // Hold the session request: the widget shows its loading screen until it answers.
        let held: Route | null = null;
        const asked = new Promise<void>((resolve) => {
          void page.route(
            (u) => u.pathname === '/v1/session',
            (route) => {
              if (route.request().method() !== 'GET') return route.continue();
              held = route;
              resolve();
              return undefined;
            },
          );
        });
        await page.goto(url);
        await asked;
        await part(page, 'loading').waitFor();
        await capture(page, `loading-${variant}`);
        await (held as Route | null)?.abort().catch(() => undefined);
      });
    },
  };
}

function preCheck(variant: Variant): Shot {
  return {
    name: `pre-check-${variant}`,
    async run(stage) {
      const session = await newSession(stage, { live: true });
      await withPage(
        stage,
        variant,
        { token: session.token, apiBase: stage.platform.url },
        async (page, url) => {
          await page.goto(url);
          await untilScreen(page, 'pre-check');
          await part(page, 'consent-checkbox').check();
          await blur(page);
          await captureWithLevel(page, `pre-check-${variant}`);
        },
      );
    },
  };
}

/**
 * A voice interview at its second question: the interviewer's words and the spoken first answer in the
 * captions. The second answer is held on its way, so the picture is of that moment and no later.
 */
function liveVoice(variant: Variant, layout: 'full' | 'compact' = 'full'): Shot {
  const name = layout === 'compact' ? 'live-voice-compact' : `live-voice-${variant}`;
  return {
    name,
    async run(stage) {
      const session = await newSession(stage, { live: true });
      const attributes = { 'silence-ms': '700', layout };
      await withPage(
        stage,
        variant,
        { token: session.token, apiBase: stage.platform.url, attributes },
        async (page, url) => {
          let answers = 0;
          await page.route(
            (u) => u.pathname === '/v1/session/answers',
            (route) => {
              if (route.request().method() !== 'POST') return route.continue();
              answers += 1;
              return answers === 1 ? route.continue() : undefined;
            },
          );
          await page.goto(url);
          await untilScreen(page, 'pre-check');
          await part(page, 'level-meter').waitFor();
          await acceptAndStart(page);
          await part(page, 'caption-candidate').waitFor({ timeout: 45_000 });
          await untilState(page, "s.questionIndex === 1 && s.turn === 'candidate'", 30_000);
          await page
            .locator('ai-interview [part~="caption-interviewer"][data-final="true"]')
            .nth(1)
            .waitFor();
          await blur(page);
          await capture(page, name);
        },
      );
    },
  };
}

/** A typed interview at its second question, with an answer being written. */
async function toSecondTypedQuestion(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await untilScreen(page, 'pre-check');
  await acceptAndStart(page);
  await sendTypedAnswer(page, typedAnswers[0]!);
  await untilState(page, "s.questionIndex === 1 && s.turn === 'candidate'");
  await page.locator('ai-interview [part~="caption-interviewer"][data-final="true"]').nth(1).waitFor();
  await part(page, 'answer-input').fill('I run axe in every component test, and');
  await blur(page);
}

function liveText(variant: Variant): Shot {
  return {
    name: `live-text-${variant}`,
    async run(stage) {
      const session = await newSession(stage);
      await withPage(
        stage,
        variant,
        { token: session.token, apiBase: stage.platform.url },
        async (page, url) => {
          await toSecondTypedQuestion(page, url);
          await capture(page, `live-text-${variant}`);
        },
      );
    },
  };
}

function endConfirm(): Shot {
  return {
    name: 'end-confirm-light',
    async run(stage) {
      const session = await newSession(stage);
      await withPage(
        stage,
        'light',
        { token: session.token, apiBase: stage.platform.url },
        async (page, url) => {
          await toSecondTypedQuestion(page, url);
          await part(page, 'end-button').click();
          await part(page, 'end-confirm').waitFor();
          await blur(page);
          await capture(page, 'end-confirm-light');
        },
      );
    },
  };
}

/** The event stream cut: a proxy between the page and the platform refuses every connection. */
function reconnecting(variant: Variant): Shot {
  return {
    name: `reconnecting-${variant}`,
    async run(stage) {
      const session = await newSession(stage);
      const proxy: NetworkProxy = await startNetworkProxy(stage.platform.url);
      try {
        await withPage(stage, variant, { token: session.token, apiBase: proxy.url }, async (page, url) => {
          await page.goto(url);
          await untilScreen(page, 'pre-check');
          await acceptAndStart(page);
          await untilState(page, "s.turn === 'candidate'");
          await page
            .locator('ai-interview [part~="caption-interviewer"][data-final="true"]')
            .first()
            .waitFor();
          await part(page, 'answer-input').fill('I built an accessible date picker for our design system.');
          proxy.act({ action: 'down' });
          await part(page, 'reconnecting').waitFor({ timeout: 30_000 });
          await blur(page);
          await capture(page, `reconnecting-${variant}`);
        });
      } finally {
        await proxy.close();
      }
    },
  };
}

function completed(variant: Variant): Shot {
  return {
    name: `completed-${variant}`,
    async run(stage) {
      const session = await newSession(stage);
      await withPage(
        stage,
        variant,
        { token: session.token, apiBase: stage.platform.url },
        async (page, url) => {
          await page.goto(url);
          await untilScreen(page, 'pre-check');
          await acceptAndStart(page);
          await sendTypedAnswer(page, typedAnswers[0]!);
          await untilState(page, 's.questionIndex === 1');
          await sendTypedAnswer(page, typedAnswers[1]!);
          await untilScreen(page, 'completed', 30_000);
          await blur(page);
          await capture(page, `completed-${variant}`);
        },
      );
    },
  };
}

/** A link that no longer works: the interview was canceled after the token was minted. */
function error(variant: Variant): Shot {
  return {
    name: `error-${variant}`,
    async run(stage) {
      const session = await newSession(stage, { cancel: true });
      await withPage(
        stage,
        variant,
        { token: session.token, apiBase: stage.platform.url },
        async (page, url) => {
          await page.goto(url);
          await untilScreen(page, 'error');
          await blur(page);
          await capture(page, `error-${variant}`);
        },
      );
    },
  };
}

/** A brand's colours, radius and font through custom properties, a few `::part()` rules, and the slots. */
const themeCss = `
  ai-interview.acme {
    --ai-interview-color-primary: #0f766e;
    --ai-interview-color-on-primary: #ffffff;
    --ai-interview-color-surface: #fbfaf7;
    --ai-interview-color-text: #1c1917;
    --ai-interview-color-muted: #57534e;
    --ai-interview-radius: 0.25rem;
    --ai-interview-font-family: Georgia, 'DejaVu Serif', serif;
  }
  /* A custom property set on a part reaches everything inside it: here the company name under the title. */
  ai-interview.acme::part(header) { background: #0f766e; color: #ffffff; --ai-interview-color-muted: #ccfbf1; }
  ai-interview.acme::part(title) { font-size: 1.125rem; }
  ai-interview.acme::part(start-button) { text-transform: uppercase; letter-spacing: 0.06em; }
  ai-interview.acme::part(consent) { border-inline-start: 4px solid #0f766e; }
  ai-interview.acme .acme-footer { margin: 0; }
  ai-interview.acme .acme-footer a { color: inherit; }
`;

const logoSvg =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='36' height='36' viewBox='0 0 36 36'%3E" +
  "%3Crect width='36' height='36' rx='6' fill='%23ffffff'/%3E%3Cpath d='M8 27 18 8l10 19h-5l-5-10-5 10z' " +
  "fill='%230f766e'/%3E%3C/svg%3E";

function themed(): Shot {
  return {
    name: 'themed-pre-check',
    async run(stage) {
      const session = await newSession(stage, { live: true });
      const options: PageOptions = {
        token: session.token,
        apiBase: stage.platform.url,
        css: themeCss,
        attributes: { class: 'acme', theme: 'light' },
        children:
          `<img slot="logo" src="${logoSvg}" alt="Acme" width="36" height="36">` +
          '<p slot="footer" class="acme-footer">Questions? <a href="#help">Contact Acme recruiting</a> · ' +
          '<a href="#privacy">Privacy notice</a></p>',
      };
      await withPage(stage, 'light', options, async (page, url) => {
        await page.goto(url);
        await untilScreen(page, 'pre-check');
        await part(page, 'consent-checkbox').check();
        await blur(page);
        await captureWithLevel(page, 'themed-pre-check');
      });
    },
  };
}

function localeEs(): Shot {
  return {
    name: 'locale-es-pre-check',
    async run(stage) {
      const session = await newSession(stage, {
        live: true,
        job: { title: 'Ingeniera o ingeniero de frontend sénior', language: 'es' },
      });
      const options: PageOptions = {
        token: session.token,
        apiBase: stage.platform.url,
        lang: 'es',
        attributes: { locale: 'es' },
      };
      await withPage(stage, 'light', options, async (page, url) => {
        await page.goto(url);
        await untilScreen(page, 'pre-check');
        await page.evaluate("document.querySelector('ai-interview').localeReady");
        await part(page, 'consent-checkbox').check();
        await blur(page);
        await captureWithLevel(page, 'locale-es-pre-check');
      });
    },
  };
}

/**
 * Right to left, in a language the widget has no strings for: an Arabic page (`dir="rtl"`) gives the strings
 * it shows through `strings`. The interview was started earlier (a reload), so the pre-check offers to
 * continue and shows no recording notice, which the platform words in English.
 */
const arabicStrings: Record<string, string> = {
  regionLabel: 'مقابلة',
  regionLabelJob: 'مقابلة: {job}',
  loading: 'جارٍ تحميل مقابلتك…',
  starting: 'جارٍ بدء مقابلتك…',
  preCheckHeading: 'قبل أن تبدأ',
  summary:
    'ستطرح عليك {interviewer}، وهي مُحاوِرة تعمل بالذكاء الاصطناعي، {questions}. تستغرق المقابلة {minutes} على الأكثر.',
  questionsOne: 'سؤالًا واحدًا',
  questionsOther: '{count} أسئلة',
  minutesOne: 'دقيقة واحدة',
  minutesOther: '{count} دقيقة',
  resumeNote: 'لقد بدأت مقابلتك بالفعل. يمكنك المتابعة من حيث توقفت.',
  microphoneHeading: 'الميكروفون',
  microphoneRequesting: 'جارٍ طلب الوصول إلى الميكروفون… إذا سألك المتصفح، فاختر «السماح».',
  microphoneReady: 'الميكروفون يعمل. قل بضع كلمات وراقب حركة المؤشر.',
  deviceLabel: 'الميكروفون',
  deviceUnnamed: 'ميكروفون {count}',
  levelLabel: 'مستوى صوت الميكروفون',
  answerByText: 'الإجابة كتابةً بدلًا من ذلك',
  resume: 'متابعة المقابلة',
};

function rtl(): Shot {
  return {
    name: 'rtl-pre-check',
    async run(stage) {
      const session = await newSession(stage, {
        live: true,
        start: true,
        job: {
          title: 'مهندس واجهات أمامية',
          settings: { interviewer_name: 'ليلى' },
          questions: [
            { text: 'حدّثنا عن مكوّن تفخر به.' },
            { text: 'كيف تختبر إمكانية الوصول؟' },
            { text: 'ما الذي تودّ تعلّمه هذا العام؟' },
          ],
        },
      });
      const options: PageOptions = {
        token: session.token,
        apiBase: stage.platform.url,
        dir: 'rtl',
        lang: 'ar',
        // The widget's words are Arabic (its strings): its region says so.
        attributes: { locale: 'ar' },
        strings: arabicStrings,
      };
      await withPage(stage, 'light', options, async (page, url) => {
        await page.goto(url);
        await untilScreen(page, 'pre-check');
        await part(page, 'level-meter').waitFor();
        await captureWithLevel(page, 'rtl-pre-check');
      });
    },
  };
}

const variants: Variant[] = ['light', 'dark', 'narrow'];
const shots: Shot[] = [
  ...variants.map(loading),
  ...variants.map(preCheck),
  ...variants.map((variant) => liveVoice(variant)),
  liveVoice('light', 'compact'),
  ...variants.map(liveText),
  endConfirm(),
  ...variants.map(reconnecting),
  ...variants.map(completed),
  ...variants.map(error),
  themed(),
  localeEs(),
  rtl(),
];

// Main ------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const chosen = only.length
    ? shots.filter((shot) => only.some((word) => shot.name.startsWith(word)))
    : shots;
  if (chosen.length === 0) throw new Error(`no picture is named ${only.join(' or ')}…`);
  const stage = await openStage();
  try {
    console.log(`${chosen.length} pictures of <ai-interview>:`);
    for (const shot of chosen) {
      try {
        await shot.run(stage);
      } catch (failure) {
        throw new Error(`${shot.name}: ${(failure as Error).message}`, { cause: failure });
      }
    }
  } finally {
    await stage.close();
  }
}

await main();

import type { DemoApiError, Schemas } from './demo-api.ts';
import { Html, html } from './html.ts';
import { errorBox } from './layout.ts';

/** One rubric dimension as the form edits it: plain fields, levels 1, 3 and 5 as anchors. */
interface DimensionFields {
  name: string;
  weight: string;
  description: string;
  level1: string;
  level3: string;
  level5: string;
}

export interface JobFormValues {
  title: string;
  description: string;
  /** One question per line. */
  questions: string;
  dimensions: DimensionFields[];
}

/** Filled in, so a newcomer can create a job with one click; every field can be edited first. */
export function defaultJobForm(): JobFormValues {
  return {
    title: 'Robotics Software Engineer',
    description:
      'Build the software that plans and controls our warehouse robots, from motion planning to fleet monitoring.',
    questions: [
      'Tell me about a project you are proud of, and what your own part in it was.',
      'Describe a time something you built failed in production. What did you do?',
      'How do you decide what to work on first when everything seems urgent?',
    ].join('\n'),
    dimensions: [
      {
        name: 'Problem solving',
        weight: '40',
        description: 'Breaks problems down, weighs the options and reaches sound decisions.',
        level1: 'No clear approach; jumps to answers without reasoning.',
        level3: 'A workable approach, with some reasoning about trade-offs.',
        level5: 'Structured; weighs alternatives and trade-offs unprompted and checks the result.',
      },
      {
        name: 'Ownership',
        weight: '35',
        description: 'Takes responsibility for outcomes and sees work through.',
        level1: 'Describes events from the sidelines; no personal contribution.',
        level3: 'Owns their part and follows through when asked.',
        level5: 'Drives the outcome end to end and makes lasting improvements afterwards.',
      },
      {
        name: 'Communication',
        weight: '25',
        description: 'Explains clearly and concisely, with concrete examples.',
        level1: 'Vague or hard to follow; no examples.',
        level3: 'Clear enough, with some specifics.',
        level5: 'Clear, well structured and concrete; adapts to the listener.',
      },
    ],
  };
}

const dimensionCount = 3;

export function jobFormFrom(form: URLSearchParams): JobFormValues {
  const field = (name: string) => form.get(name) ?? '';
  return {
    title: field('title'),
    description: field('description'),
    questions: field('questions'),
    dimensions: Array.from({ length: dimensionCount }, (_, i) => ({
      name: field(`dim${i}_name`),
      weight: field(`dim${i}_weight`),
      description: field(`dim${i}_description`),
      level1: field(`dim${i}_level1`),
      level3: field(`dim${i}_level3`),
      level5: field(`dim${i}_level5`),
    })),
  };
}

/** `Problem solving` → `problem_solving`: the key the API wants (a letter first, then letters, digits, `_`). */
function keyOf(name: string, taken: Set<string>): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  let key = (/^[a-z]/.test(slug) ? slug : `d_${slug}`).slice(0, 36).replace(/_+$/, '');
  for (let n = 2; taken.has(key); n++) key = `${key.replace(/_\d+$/, '')}_${n}`;
  taken.add(key);
  return key;
}

/**
 * The form as the API's CreateJobRequest. It checks nothing itself: whatever is wrong, the API says so and
 * the page shows its words. A dimension left without a name is left out.
 */
export function createJobRequest(values: JobFormValues): Schemas['CreateJobRequest'] {
  const taken = new Set<string>();
  const dimensions = values.dimensions
    .filter((d) => d.name.trim() !== '')
    .map((d) => {
      const weight = Number(d.weight);
      const levels: Record<string, string> = {};
      if (d.level1.trim()) levels['1'] = d.level1.trim();
      if (d.level3.trim()) levels['3'] = d.level3.trim();
      if (d.level5.trim()) levels['5'] = d.level5.trim();
      return {
        key: keyOf(d.name, taken),
        name: d.name.trim(),
        description: d.description.trim(),
        // A weight that is not a number goes as typed, so the API's message names the field.
        weight: (d.weight.trim() !== '' && Number.isFinite(weight) ? weight : d.weight) as number,
        ...(Object.keys(levels).length > 0 ? { levels } : {}),
      };
    });
  return {
    title: values.title.trim(),
    description: values.description.trim(),
    questions: values.questions
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '')
      .map((text) => ({ text })),
    rubric: { dimensions },
  };
}

function dimensionFieldset(d: DimensionFields, i: number): Html {
  const id = (name: string) => `dim${i}_${name}`;
  return html`<fieldset>
  <legend>Dimension ${i + 1}</legend>
  <div class="row">
    <div><label for="${id('name')}">Name</label><input id="${id('name')}" name="${id('name')}" value="${d.name}"></div>
    <div><label for="${id('weight')}">Weight</label><input id="${id('weight')}" name="${id('weight')}" value="${d.weight}" inputmode="decimal"></div>
  </div>
  <label for="${id('description')}">What it measures</label>
  <input id="${id('description')}" name="${id('description')}" value="${d.description}">
  <label for="${id('level1')}">A 1 looks like</label><input id="${id('level1')}" name="${id('level1')}" value="${d.level1}">
  <label for="${id('level3')}">A 3 looks like</label><input id="${id('level3')}" name="${id('level3')}" value="${d.level3}">
  <label for="${id('level5')}">A 5 looks like</label><input id="${id('level5')}" name="${id('level5')}" value="${d.level5}">
</fieldset>`;
}

export function jobForm(values: JobFormValues, error: DemoApiError | null): Html {
  const rubricAtFault =
    error?.param?.startsWith('rubric') ||
    error?.fieldErrors.some((e) => e.pointer.startsWith('/body/rubric'));
  return html`<section class="card" aria-labelledby="new-job">
  <h2 id="new-job">Create a job</h2>
  ${error ? errorBox(error) : null}
  <form method="post" action="/demo/jobs">
    <label for="title">Title</label>
    <input id="title" name="title" value="${values.title}" required>
    <label for="description">Description <span class="hint">(gives the interviewer context)</span></label>
    <textarea id="description" name="description">${values.description}</textarea>
    <label for="questions">Questions <span class="hint">(one per line, asked in order)</span></label>
    <textarea id="questions" name="questions">${values.questions}</textarea>
    <details${rubricAtFault ? new Html(' open') : null}>
      <summary>Scoring rubric: ${values.dimensions.length} weighted dimensions (edit, or keep the defaults)</summary>
      <p class="hint">Weights are relative. A dimension without a name is left out.</p>
      ${values.dimensions.map(dimensionFieldset)}
    </details>
    <button type="submit">Create job</button>
  </form>
</section>`;
}

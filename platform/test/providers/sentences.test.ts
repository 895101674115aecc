import { describe, expect, it } from 'vitest';
import { sentences } from '../../src/providers/sentences.ts';

async function* stream(deltas: string[]): AsyncIterable<string> {
  for (const delta of deltas) yield delta;
}

async function split(deltas: string[] | string): Promise<string[]> {
  const out: string[] = [];
  for await (const sentence of sentences(stream(typeof deltas === 'string' ? [deltas] : deltas)))
    out.push(sentence);
  return out;
}

describe('sentences()', () => {
  it.each<[string, string[]]>([
    ['Hi. How are you? Great!', ['Hi.', 'How are you?', 'Great!']],
    ['It costs 3.5 dollars. That is fine.', ['It costs 3.5 dollars.', 'That is fine.']],
    ['Pi is 3.14159 or so. Next.', ['Pi is 3.14159 or so.', 'Next.']],
    [
      'I met Dr. Smith and Mrs. Jones. They were kind.',
      ['I met Dr. Smith and Mrs. Jones.', 'They were kind.'],
    ],
    ['Use tools, e.g. React or Vue. Then ship.', ['Use tools, e.g. React or Vue.', 'Then ship.']],
    ['Some tools (i.e. Vite) are fast. Yes.', ['Some tools (i.e. Vite) are fast.', 'Yes.']],
    ['J. R. R. Tolkien wrote it. Yes.', ['J. R. R. Tolkien wrote it.', 'Yes.']],
    ['She works in the U.S. Navy now. Good.', ['She works in the U.S. Navy now.', 'Good.']],
    ['So did I. Next question.', ['So did I.', 'Next question.']],
    ['Well... maybe later. Sure.', ['Well... maybe later.', 'Sure.']],
    ['I wonder… Anyway, next.', ['I wonder…', 'Anyway, next.']],
    ['It was approx. five people. Ok.', ['It was approx. five people.', 'Ok.']],
    ['Visit viva.ai today. Thanks.', ['Visit viva.ai today.', 'Thanks.']],
    ['She said "Stop!" Then she left.', ['She said "Stop!"', 'Then she left.']],
    ['Really?! Yes.', ['Really?!', 'Yes.']],
    ['(That was hard.) Next one.', ['(That was hard.)', 'Next one.']],
    ['你好。今天怎么样？很好！', ['你好。', '今天怎么样？', '很好！']],
    ['「はい。」次の質問です。', ['「はい。」', '次の質問です。']],
    ['Thanks. 谢谢。Bye.', ['Thanks.', '谢谢。', 'Bye.']],
    ['No terminator at the end', ['No terminator at the end']],
    ['  Padded.   Lots   of space.  ', ['Padded.', 'Lots   of space.']],
    ['Line one.\nLine two.', ['Line one.', 'Line two.']],
  ])('splits %j', async (text, expected) => {
    expect(await split(text)).toEqual(expected);
  });

  it('never yields empty strings', async () => {
    expect(await split([])).toEqual([]);
    expect(await split(['   ', '\n', ''])).toEqual([]);
    expect(await split(['  ', 'Hello.  ', '   ', 'World.  ', '  '])).toEqual(['Hello.', 'World.']);
  });

  it('joins deltas split mid-word, mid-abbreviation, mid-number and mid-ellipsis', async () => {
    expect(await split(['Hel', 'lo the', 're. Ho', 'w are', ' you?'])).toEqual([
      'Hello there.',
      'How are you?',
    ]);
    expect(await split(['I saw D', 'r', '.', ' Smith to', 'day. O', 'k'])).toEqual([
      'I saw Dr. Smith today.',
      'Ok',
    ]);
    expect(await split(['Like e', '.', 'g', '.', ' React', '. Fine'])).toEqual(['Like e.g. React.', 'Fine']);
    expect(await split(['It is 3', '.', '5 now', '. Ok'])).toEqual(['It is 3.5 now.', 'Ok']);
    expect(await split(['Hmm.', '.', '. maybe', ' not.'])).toEqual(['Hmm... maybe not.']);
    expect(await split(['She said "Stop!', '" Then', ' left.'])).toEqual(['She said "Stop!"', 'Then left.']);
  });

  it('gives the same sentences however the text is cut', async () => {
    const text =
      'Welcome, Ada. I am Viva, e.g. your interviewer today! The role pays approx. 3.5 times more... ' +
      'surprising? Dr. Lee said "Great." Let us begin. 第一个问题。What did you build?';
    const whole = await split(text);
    expect(whole).toEqual([
      'Welcome, Ada.',
      'I am Viva, e.g. your interviewer today!',
      'The role pays approx. 3.5 times more... surprising?',
      'Dr. Lee said "Great."',
      'Let us begin.',
      '第一个问题。',
      'What did you build?',
    ]);
    expect(await split([...text])).toEqual(whole);
    for (const size of [2, 3, 5, 7, 11]) {
      const pieces = text.match(new RegExp(`[^]{1,${size}}`, 'gu')) ?? [];
      expect(await split(pieces), `cut every ${size} characters`).toEqual(whole);
    }
  });

  it('yields each sentence as soon as it is known to be complete, not at the end', async () => {
    let received = 0;
    async function* counted(): AsyncIterable<string> {
      for (const delta of ['Hello there.', ' How', ' are you?', ' I am', ' fine.']) {
        received += 1;
        yield delta;
      }
    }
    const seen: Array<[string, number]> = [];
    for await (const sentence of sentences(counted())) seen.push([sentence, received]);
    // A sentence is out once the first letter of the next word shows it is not "Dr." or "Well... maybe".
    expect(seen).toEqual([
      ['Hello there.', 2],
      ['How are you?', 4],
      ['I am fine.', 5],
    ]);
  });

  it('yields a CJK sentence without waiting for a space', async () => {
    let received = 0;
    async function* counted(): AsyncIterable<string> {
      for (const delta of ['你好。', '今', '天很好。']) {
        received += 1;
        yield delta;
      }
    }
    const seen: Array<[string, number]> = [];
    for await (const sentence of sentences(counted())) seen.push([sentence, received]);
    expect(seen).toEqual([
      ['你好。', 2],
      ['今天很好。', 3],
    ]);
  });
});

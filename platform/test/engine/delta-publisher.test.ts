import { describe, expect, it } from 'vitest';
import { DeltaPublisher } from '../../src/engine/delta-publisher.ts';

/** A publish the test releases by hand, so what is in flight when is exact. */
function heldPublish() {
  const published: string[] = [];
  const releases: ((error?: Error) => void)[] = [];
  const publish = (text: string) =>
    new Promise<void>((resolve, reject) => {
      published.push(text);
      releases.push((error) => (error ? reject(error) : resolve()));
    });
  const release = async (error?: Error) => {
    releases.shift()?.(error);
    // Lets the publisher see the settled publish and start the next one.
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { published, publish, release };
}

describe('DeltaPublisher', () => {
  it('sends the first piece at once and joins what arrives while it is in flight', async () => {
    const bus = heldPublish();
    const deltas = new DeltaPublisher(bus.publish);
    deltas.push('Hi ');
    expect(bus.published).toEqual(['Hi ']);
    deltas.push('Ada, ');
    deltas.push("I'm ");
    deltas.push('Viva.');
    expect(bus.published).toEqual(['Hi ']);
    await bus.release();
    expect(bus.published).toEqual(['Hi ', "Ada, I'm Viva."]);
    const flushed = deltas.flush();
    await bus.release();
    await flushed;
    expect(bus.published.join('')).toBe("Hi Ada, I'm Viva.");
  });

  it('sends each piece alone when the bus keeps up', async () => {
    const published: string[] = [];
    const deltas = new DeltaPublisher(async (text) => {
      published.push(text);
    });
    for (const word of ['One ', 'piece ', 'at ', 'a ', 'time.']) {
      deltas.push(word);
      await deltas.flush();
    }
    expect(published).toEqual(['One ', 'piece ', 'at ', 'a ', 'time.']);
  });

  it('stops at the first failed publish: the next push throws and flush rejects', async () => {
    const bus = heldPublish();
    const deltas = new DeltaPublisher(bus.publish);
    deltas.push('Hi ');
    deltas.push('there.');
    await bus.release(new Error('Redis is down'));
    expect(() => deltas.push(' More.')).toThrow('Redis is down');
    await expect(deltas.flush()).rejects.toThrow('Redis is down');
    expect(bus.published).toEqual(['Hi ']);
  });

  it('flushes at once when nothing was pushed', async () => {
    await expect(new DeltaPublisher(async () => undefined).flush()).resolves.toBeUndefined();
  });
});

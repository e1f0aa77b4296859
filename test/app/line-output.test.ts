import {Writable} from 'node:stream';
import {describe, expect, it} from 'vitest';
import {createLineOutput, LINE_CHUNK_BYTES} from '../../src/app/line-output.js';

/** A stream whose reader takes nothing until `release` is called. */
function stalledStream() {
  const held: Array<() => void> = [];
  let bytes = 0;
  const stream = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      held.push(callback);
    },
  });
  return {
    stream,
    bytes: () => bytes,
    release: () => held.splice(0).forEach((callback) => callback()),
  };
}

describe('line output', () => {
  it('gathers lines and hands them over in chunks of 64 KiB', () => {
    const {stream, bytes} = stalledStream();
    const output = createLineOutput(stream, () => {});
    for (let index = 0; index < 1000; index++) output.write('x'.repeat(99));
    expect(bytes()).toBe(Math.ceil(LINE_CHUNK_BYTES / 100) * 100);
  });

  it('asks its producer to wait while the reader is behind, until the stream drains', async () => {
    const {stream, release} = stalledStream();
    const output = createLineOutput(stream, () => {});
    output.write('x'.repeat(LINE_CHUNK_BYTES));
    const wait = output.backlog();
    let isDrained = false;
    void wait!.then(() => (isDrained = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(isDrained).toBe(false);
    expect(output.backlog()).toBe(wait);
    release();
    await wait;
    expect(isDrained).toBe(true);
  });

  it('lets the event loop turn once after each write (so that EPIPE is heard), and not otherwise', () => {
    const stream = new Writable({write: (_chunk, _encoding, callback) => callback()});
    const output = createLineOutput(stream, () => {});
    expect(output.backlog()).toBeUndefined();
    output.write('x'.repeat(LINE_CHUNK_BYTES));
    expect(output.backlog()).toBeInstanceOf(Promise);
    expect(output.backlog()).toBeUndefined();
  });

  it('reports the stream failing, and a failed stream does not keep its producer waiting', async () => {
    const {stream} = stalledStream();
    const failures: string[] = [];
    const output = createLineOutput(stream, (error) => failures.push(error.code ?? ''));
    output.write('x'.repeat(LINE_CHUNK_BYTES));
    const wait = output.backlog();
    stream.destroy(Object.assign(new Error('write EPIPE'), {code: 'EPIPE'}));
    await wait;
    expect(failures).toEqual(['EPIPE']);
  });
});

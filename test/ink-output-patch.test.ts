/**
 * patches/ink+<version>.patch gives Ink's output stage a fast path (README, "Why Ink is patched")
 * and keeps the results of `sanitizeAnsi` from frame to frame. Here the patched `Output` and stock
 * Ink's (the `ink-stock` alias, the same version unpatched) render the same random frames, and the
 * two `sanitizeAnsi` clean the same random texts, each seen several times over, and both render
 * random sequences of frames (the patched stage reuses a row whose writes did not change): every result must
 * come out byte-identical. An Ink upgrade that leaves the patch behind, or changes the stage under
 * it, fails here.
 */
import fc from 'fast-check';
import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {
  buildFile,
  frame,
  type FrameSpec,
  Patched,
  patchedSanitize,
  piece,
  render,
  Stock,
  stockSanitize,
  text,
  versionOf,
} from './ink-output-fixtures.js';

/**
 * Corners a random run reaches only now and then: a zero-width DEL, a wide character cut by a clip, a
 * link whose address is not latin1 and latin1 beside a character that is not.
 */
const EDGES: [FrameSpec][] = [
  [
    {
      width: 8,
      height: 2,
      operations: [
        {kind: 'clip', clip: {x1: 1, x2: 3}},
        {kind: 'write', x: 0, y: 0, text: 'a\x7fbcd', transformers: []},
      ],
    },
  ],
  [
    {
      width: 8,
      height: 2,
      operations: [
        {kind: 'clip', clip: {x1: 1, x2: 4}},
        {kind: 'write', x: 0, y: 1, text: '\x1b[31m你好x', transformers: []},
      ],
    },
  ],
  [
    {
      width: 8,
      height: 2,
      operations: [{kind: 'write', x: 0, y: 0, text: '\x1b[38:5:1mab\x1b[1mc', transformers: []}],
    },
  ],
  [
    {
      width: 12,
      height: 2,
      operations: [
        {kind: 'write', x: 0, y: 0, text: 'x\x1b]8;;http://\u4f8b\x07ab\x1b]8;;\x07 é', transformers: []},
        {kind: 'write', x: 1, y: 1, text: '\x1b[31mé\x1b[39m \x1b[1m…', transformers: []},
      ],
    },
  ],
];

describe("Ink's output stage with svmtop's fast path", () => {
  it('is the patched copy of the same Ink version as ink-stock', () => {
    expect(versionOf('ink-stock'), 'upgrade ink-stock (package.json) together with ink').toBe(
      versionOf('ink'),
    );
    const patched = readFileSync(buildFile('ink', './output.js'), 'utf8');
    expect(patched, 'the patch is not applied: run `npx patch-package`').toContain("svmtop's fast path");
    expect(readFileSync(buildFile('ink-stock', './output.js'), 'utf8')).not.toContain("svmtop's fast path");
  });

  it('has every line the patch adds, in every file it touches (an older patch left installed fails here)', () => {
    const patch = readFileSync('patches/ink+8.0.0.patch', 'utf8');
    const sections = patch.split(/^diff --git a\/node_modules\/ink\/(\S+) /m).slice(1);
    expect(sections.length).toBeGreaterThanOrEqual(2);
    for (let index = 0; index < sections.length; index += 2) {
      const installed = readFileSync(`node_modules/ink/${sections[index]}`, 'utf8');
      const added = sections[index + 1]!.split('\n').filter(
        (line) => /^\+(?!\+\+ )/.test(line) && line.trim() !== '+',
      );
      for (const line of added)
        expect(
          installed.includes(line.slice(1)),
          `${sections[index]} lacks ${line}: run \`npx patch-package\``,
        ).toBe(true);
    }
  });

  it('renders random frames byte-identical to stock Ink', () => {
    const seed = Number(process.env.FC_SEED ?? Math.floor(Math.random() * 2 ** 31));
    console.info(`ink output equivalence: seed ${seed} (FC_SEED=${seed} repeats it)`);
    fc.assert(
      fc.property(frame, (spec) => {
        expect(render(Patched, spec)).toEqual(render(Stock, spec));
      }),
      {numRuns: 3000, seed, examples: EDGES},
    );
  });
});

/**
 * A frame and the frames after it, as a dashboard draws them: mostly the same writes, one of them
 * changed, dropped or added now and then, sometimes at another width. The patched stage draws a
 * row again only when its writes or the width changed, and gives the last frame's text otherwise.
 */
const frames = frame.chain((first) => {
  const change = fc.oneof(
    {weight: 3, arbitrary: fc.constant((spec: FrameSpec) => spec)},
    {
      weight: 4,
      arbitrary: fc
        .record({at: fc.nat(), y: fc.integer({min: -1, max: 16}), text})
        .map(({at, y, text: written}) => (spec: FrameSpec): FrameSpec => {
          const operations = [...spec.operations];
          const index = at % Math.max(1, operations.length);
          const before = operations[index];
          const x = before?.kind === 'write' ? before.x : 0;
          operations.splice(index, before?.kind === 'write' ? 1 : 0, {
            kind: 'write',
            x,
            y: before?.kind === 'write' ? before.y : y,
            text: written,
            transformers: before?.kind === 'write' ? before.transformers : [],
          });
          return {...spec, operations};
        }),
    },
    {
      weight: 1,
      arbitrary: fc.nat().map((at) => (spec: FrameSpec): FrameSpec => {
        const operations = spec.operations.filter(
          (_, index) => index !== at % Math.max(1, spec.operations.length),
        );
        return {...spec, operations};
      }),
    },
    {
      weight: 1,
      arbitrary: fc.integer({min: 0, max: 60}).map((width) => (spec: FrameSpec) => ({...spec, width})),
    },
  );
  return fc.array(change, {minLength: 1, maxLength: 6}).map((changes) => {
    const sequence = [first];
    for (const next of changes) sequence.push(next(sequence.at(-1)!));
    return sequence;
  });
});

describe("Ink's output stage drawing only the rows that changed", () => {
  it('renders random sequences of frames byte-identical to stock Ink, frame by frame', () => {
    const seed = Number(process.env.FC_SEED ?? Math.floor(Math.random() * 2 ** 31));
    console.info(`ink output sequence equivalence: seed ${seed} (FC_SEED=${seed} repeats it)`);
    fc.assert(
      fc.property(frames, (sequence) => {
        for (const spec of sequence) expect(render(Patched, spec)).toEqual(render(Stock, spec));
      }),
      {numRuns: 1000, seed},
    );
  });
});

describe("Ink's sanitizeAnsi with its results kept", () => {
  it('cleans random texts as stock Ink does, the first time and from what it kept', () => {
    const seed = Number(process.env.FC_SEED ?? Math.floor(Math.random() * 2 ** 31));
    console.info(`sanitizeAnsi equivalence: seed ${seed} (FC_SEED=${seed} repeats it)`);
    // Batches larger than what it keeps (two generations of 512), each cleaned three times over.
    const controls = fc.constantFrom('\x00', '\x07', '\x08', '\r\n', '\x9b', '\u0301', '\t');
    const styled = fc.array(fc.oneof(piece, controls), {maxLength: 10}).map((pieces) => pieces.join(''));
    fc.assert(
      fc.property(fc.array(fc.oneof(text, styled), {minLength: 700, maxLength: 1200}), (texts) => {
        const expected = texts.map((entry) => stockSanitize(entry));
        for (let round = 0; round < 3; round++)
          expect(texts.map((entry) => patchedSanitize(entry))).toEqual(expected);
      }),
      {numRuns: 40, seed},
    );
  });
});

interface CharacterCache {
  readonly current: Map<string, unknown>;
  readonly previous: Map<string, unknown>;
}

describe("Ink's output stage keeping a one-line text's characters", () => {
  const caches = () =>
    (new Patched({width: 1, height: 1}) as unknown as {caches: {styledChars: CharacterCache}}).caches;
  const isKept = (text: string) =>
    caches().styledChars.current.has(text) || caches().styledChars.previous.has(text);
  const draw = (text: string) => {
    const output = new Patched({width: 60, height: 1});
    output.write(0, 0, text, {transformers: []});
    return output.get().output;
  };

  it('keeps none for a text whose codes merge when joined, which writing it never reads', () => {
    // A compound code and a code given twice: the joined line is another string than the text.
    const merged = Array.from({length: 600}, (_, index) =>
      index % 2 === 0 ? `\x1b[1;31mrow ${index}\x1b[0m` : `\x1b[31m\x1b[31mrow ${index}\x1b[39m`,
    );
    for (const text of merged) {
      const line = draw(text);
      expect(line, 'the joined line differs from the text').not.toBe(text);
      expect(line).toBe(
        render(Stock, {
          width: 60,
          height: 1,
          operations: [{kind: 'write', x: 0, y: 0, text, transformers: []}],
        }).output,
      );
    }
    expect(merged.filter(isKept)).toEqual([]);
  });

  it('keeps the characters of a text that is its own joined line, as writing it reads them', () => {
    const own = Array.from({length: 50}, (_, index) => `\x1b[31mown ${index}\x1b[39m`);
    for (const text of own) expect(draw(text)).toBe(text);
    expect(own.filter(isKept)).toEqual(own);
  });
});

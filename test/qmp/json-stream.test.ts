import {describe, expect, test} from 'vitest';
import {JSON_MESSAGE_BYTES_MAX, JsonStreamer} from '../../src/qmp/json-streamer.js';
import {formatDouble, formatQObject, qdictBucket} from '../../src/qmp/qobject-format.js';

/** Feeds raw bytes; returns each message as QEMU would echo it, or `error: <text>`. */
function stream(...chunks: Array<string | Buffer>): string[] {
  const out: string[] = [];
  const streamer = new JsonStreamer((output) =>
    out.push('error' in output ? `error: ${output.error}` : formatQObject(output.value)),
  );
  for (const chunk of chunks) streamer.feed(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
  return out;
}

describe('the JSON stream, as QEMU 7.2 answered the same bytes', () => {
  // Each expectation below is what qemu-system-ppc64 7.2 replied (desc of its GenericError).
  test.each([
    ['{]\n', ['error: JSON parse error, expecting value']],
    ['{\xff', ["error: JSON parse error, stray '\uFFFD'"]],
    ['{\x01', ["error: JSON parse error, stray '\x01'"]],
    ["{'bad \xff", ["error: JSON parse error, stray ''bad \uFFFD'"]],
    ["{'execute': 'nonexistent', 'id':'\n", ["error: JSON parse error, stray ''\n'"]],
    ['%p', ["error: JSON parse error, stray '%'"]],
    ['{"a":1,"a":2}\n', ['error: JSON parse error, duplicate key']],
    ['{1:2}\n', ['error: JSON parse error, key is not a string in object']],
    ['{"a" 1}\n', ['error: JSON parse error, missing : in object pair']],
    ['{"a":1 "b":2}\n', ['error: JSON parse error, expected separator in dict']],
    ['[1 2]\n', ['error: JSON parse error, expected separator in list']],
    ['{"a":tru}\n', ["error: JSON parse error, invalid keyword 'tru'"]],
    ['{"a":"\\x"}\n', ['error: JSON parse error, invalid escape sequence in string']],
    ['{"a":"\\ud800"}\n', ['error: JSON parse error, \\ud800 is not a valid Unicode character']],
    ['{"a":"\\u12"}\n', ['error: JSON parse error, \\u12" is not a valid Unicode character']],
    ['{"a":"\\uFFFE"}\n', ['error: JSON parse error, \\uFFFE is not a valid Unicode character']],
    ['{"a":"\xef\xbf\xbe"}\n', ['error: JSON parse error, invalid UTF-8 sequence in string']],
    ['{"a":01}\n', ["error: JSON parse error, stray '01'", 'error: JSON parse error, expecting value']],
    ['{"a":-}\n', ["error: JSON parse error, stray '-}'"]],
    ['{"a":1.}\n', ["error: JSON parse error, stray '1.}'"]],
    ['}\n', ['error: JSON parse error, expecting value']],
  ])('%j', (input, expected) => {
    expect(stream(input)).toEqual(expected);
  });

  test('values come back as QEMU echoes them: int64, uint64, doubles as %.17g, escapes in upper case', () => {
    expect(
      stream(
        '{"a":1.5e3,"b":-0,"c":18446744073709551615,"d":99999999999999999999999,"f":0.1,"g":1e400,"h":-9223372036854775809}\n',
        '["\\u00e9\\ud83d\\ude00\x7f/", "\xc0\x80", \'it\\\'s "q"\', "\xc3\xa9\xe2\x82\xac"]\n',
      ),
    ).toEqual([
      '{"d": 9.9999999999999992e+22, "a": 1500, "f": 0.10000000000000001, "b": 0, "g": inf, "c": 18446744073709551615, "h": -9.2233720368547758e+18}',
      '["\\u00E9\\uD83D\\uDE00\\u007F/", "\\u0000", "it\'s \\"q\\"", "\\u00E9\\u20AC"]',
    ]);
  });

  test('messages need no newline and may share a line; whitespace between them is ignored', () => {
    expect(stream('{"a":1}{"b"', ':2}  \r\n\t[]', ' null 7\n')).toEqual([
      '{"a": 1}',
      '{"b": 2}',
      '[]',
      'null',
      '7',
    ]);
  });

  test('after a lexical error it skips to a structural or control character, then recovers', () => {
    expect(stream('%p null\n{"ok":true}\n')).toEqual(["error: JSON parse error, stray '%'", '{"ok": true}']);
  });

  test('nesting deeper than 1024 is refused with QEMU words; the rest of the line is read afresh, as QEMU does', () => {
    const out = stream(`${'['.repeat(1025)}${']'.repeat(1025)}\n`);
    expect(out[0]).toBe('error: JSON nesting depth limit exceeded');
    expect(out.slice(1).every((line) => line === 'error: JSON parse error, expecting value')).toBe(true);
    expect(stream(`${'['.repeat(1024)}${']'.repeat(1024)}\n`)).toHaveLength(1);
  });

  test('a 1 MiB line is parsed; a longer one costs one error and the next line works', () => {
    const id = 'x'.repeat(JSON_MESSAGE_BYTES_MAX - 100);
    expect(stream(`{"id":"${id}"}\n`)[0]).toBe(`{"id": "${id}"}`);
    const tooLong = 'y'.repeat(JSON_MESSAGE_BYTES_MAX + 10);
    expect(stream(`{"id":"${tooLong}"}\n{"next":1}\n`)).toEqual([
      'error: JSON token size limit exceeded',
      '{"next": 1}',
    ]);
    const manyTokens = `[${'1,'.repeat(JSON_MESSAGE_BYTES_MAX / 2)}1]\n{"after":2}\n`;
    expect(stream(manyTokens)).toEqual(['error: JSON token count limit exceeded', '{"after": 2}']);
  });
});

describe('output formatting', () => {
  test("members come out in QDict order (tdb_hash buckets), as in QEMU's replies", () => {
    // QEMU 7.2: {"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}, ...
    expect(formatQObject({major: 7, minor: 2, micro: 22})).toBe('{"micro": 22, "minor": 2, "major": 7}');
    expect(formatQObject({return: {}, id: 1})).toBe('{"return": {}, "id": 1}');
    expect(formatQObject({error: {class: 'GenericError', desc: 'x'}, id: 2})).toBe(
      '{"id": 2, "error": {"class": "GenericError", "desc": "x"}}',
    );
    expect(formatQObject({event: 'STOP', timestamp: {seconds: 1, microseconds: 2}})).toBe(
      '{"timestamp": {"seconds": 1, "microseconds": 2}, "event": "STOP"}',
    );
    expect(qdictBucket('downtime-limit')).toBe(317);
  });

  test('%.17g', () => {
    expect([0.1, 1500, 7.6723738317757, 1e22, 1e-5, 123456789.5, -2.5].map(formatDouble)).toEqual([
      '0.10000000000000001',
      '1500',
      '7.6723738317757002',
      '1e+22',
      '1.0000000000000001e-05',
      '123456789.5',
      '-2.5',
    ]);
  });
});

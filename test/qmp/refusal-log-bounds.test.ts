import {describe, expect, test} from 'vitest';
import {errorOf, lastCommandLine, useQmpFixture} from './fixture.js';

const fixture = useQmpFixture({bootSeconds: 5});

/** 300 characters a client made up; the log keeps the first 40 and says how many it cut. */
const LONG = 'x'.repeat(300);
const CUT = `${'x'.repeat(40)}…(260 more)`;

const logged = () => lastCommandLine(fixture.world, 'churn-1')!.message;

/**
 * QEMU's reply echoes what the client sent, whole, and so does svmtop's; the event log's line for
 * the refusal carries at most 40 characters of it, wherever it appears.
 */
describe('what a QMP client made up is bounded in the refusal line, and whole in the reply', () => {
  test('an unknown command name', async () => {
    const client = await fixture.connect('churn-1');
    expect(errorOf(await client.execute(LONG))).toEqual({
      class: 'CommandNotFound',
      desc: `The command ${LONG} has not been found`,
    });
    expect(logged()).toBe(`${CUT} refused: The command ${CUT} has not been found`);
  });

  test('an unknown command name of spaces and quotes', async () => {
    const client = await fixture.connect('churn-1');
    const name = 'a\' b" '.repeat(50);
    expect(errorOf(await client.execute(name)).desc).toBe(`The command ${name} has not been found`);
    expect(logged().length).toBeLessThan(150);
  });

  test('an argument name and an enum value', async () => {
    const client = await fixture.connect('churn-1');
    expect(errorOf(await client.execute('balloon', {value: 1, [LONG]: 1})).desc).toBe(
      `Parameter '${LONG}' is unexpected`,
    );
    expect(logged()).toBe(`balloon refused: Parameter '${CUT}' is unexpected`);
    const capabilities = [{capability: `it's ${LONG}`, state: true}];
    const refused = errorOf(await client.execute('migrate-set-capabilities', {capabilities}));
    expect(refused.desc).toContain(`'it's ${LONG}'`);
    expect(logged().length).toBeLessThan(150);
  });

  test("a migrate URI: a host svmtop does not have, and an address QEMU can't parse", async () => {
    const client = await fixture.connect('churn-1');
    expect(errorOf(await client.execute('migrate', {uri: `tcp:${LONG}:4444`})).desc).toBe(
      `no host named "${LONG}"`,
    );
    // The label is bounded as a whole: "migrate to " and the host's first 29 characters.
    expect(logged()).toBe(`migrate to ${'x'.repeat(29)}…(271 more) refused: no host named "${CUT}"`);
    // Here the reply quotes part of the URI: the log finds client text only as the client wrote it
    // (never by reading the reason's words), so what bounds this line is the cap on the reason.
    expect(errorOf(await client.execute('migrate', {uri: `tcp:${LONG}:`})).desc).toBe(
      `error parsing address '${LONG}:'`,
    );
    expect(logged()).toBe(`migrate refused: error parsing address '${'x'.repeat(297)}…(5 more)`);
  });

  test('what is short is logged as the reply says it', async () => {
    const client = await fixture.connect('churn-1');
    await client.execute('frobnicate');
    expect(logged()).toBe('frobnicate refused: The command frobnicate has not been found');
  });
});

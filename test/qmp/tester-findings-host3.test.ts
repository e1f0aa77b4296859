import {describe, expect, test} from 'vitest';
import {previewCommand} from '../../src/host/command-preview.js';
import {vm} from '../helpers/world.js';
import {advanceUntil, errorOf, returned, useQmpFixture} from './fixture.js';

/** An exploratory tester's findings over QMP (one regression each). */

const fixture = useQmpFixture();

describe('x-svmtop-query-migrate-targets asks the m picker’s rule', () => {
  test('a halted VM: the VM-level refusal, as migrate and the picker give it, not four open hosts', async () => {
    const client = await fixture.connect('undecl-1');
    expect(returned(await client.execute('x-svmtop-secure'))).toEqual({});
    await advanceUntil(
      fixture.world,
      () => vm(fixture.world, 'undecl-1').state === 'halted',
      30,
      'undecl-1 halting',
    );
    const picker = previewCommand(fixture.world, {kind: 'migrate', vm: 'undecl-1', to: null});
    expect(picker).toMatchObject({ok: false, code: 'halted'});
    const reason = picker.ok ? '' : picker.reason;
    expect(errorOf(await client.execute('x-svmtop-query-migrate-targets'))).toEqual({
      class: 'GenericError',
      desc: reason,
    });
    expect(errorOf(await client.execute('migrate', {uri: 'tcp:delta'})).desc).toBe(reason);
  });
});

describe('migrate with a tcp: address QEMU cannot parse', () => {
  // Real QEMU 7.2: util/qemu-sockets.c inet_parse's words.
  test.each([
    ['tcp:', "error parsing address ''"],
    ['tcp::', "error parsing port in address ':'"],
    ['tcp:beta:', "error parsing address 'beta:'"],
  ])('%s: %s', async (uri, desc) => {
    const client = await fixture.connect('churn-1');
    expect(errorOf(await client.execute('migrate', {uri}))).toEqual({class: 'GenericError', desc});
  });
});

import {expect, test} from 'vitest';
import {errorOf, useQmpFixture} from './fixture.js';

const fixture = useQmpFixture();

// QEMU 7.2 (pseries, no balloon device) answers DeviceNotActive for value 0 and -1 alike: it
// looks for the device before the value (softmmu/balloon.c qmp_balloon).
test.each([0, -1])('balloon %i on a VM without a balloon: no device, before the value', async (value) => {
  const client = await fixture.connect('bounce-test');
  for (const command of ['balloon', 'x-svmtop-balloon'])
    expect(errorOf(await client.execute(command, {value}))).toEqual({
      class: 'DeviceNotActive',
      desc: 'No balloon device has been activated',
    });
});

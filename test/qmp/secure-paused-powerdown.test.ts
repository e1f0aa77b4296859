import {describe, expect, test} from 'vitest';
import {useQmpFixture} from './fixture.js';

const fixture = useQmpFixture({bootSeconds: 5});

describe('x-svmtop-secure on a stopped guest with system_powerdown pending', () => {
  test('both answers say the shutdown, and so the boot, waits for cont', async () => {
    const client = await fixture.connect('legacy-1');
    expect((await client.execute('stop')).json).toEqual({return: {}});
    expect((await client.execute('system_powerdown')).json).toEqual({return: {}});
    expect((await client.execute('x-svmtop-secure')).json).toEqual({return: {}});
    // Before: 'secure: ok (svm=on set; booting once it has shut down)'.
    expect(fixture.world.events.recent(1, 'legacy-1').at(-1)?.message).toBe(
      'secure: ok (svm=on set; booting once resumed and shut down)',
    );
    expect((await client.execute('x-svmtop-secure')).json).toEqual({
      error: {
        class: 'GenericError',
        desc: 'legacy-1 already has svm=on set; booting once resumed and shut down',
      },
    });
  });
});

import {describe, expect, test} from 'vitest';
import {useQmpFixture} from './fixture.js';

const fixture = useQmpFixture({bootSeconds: 5});

describe('x-svmtop-secure twice on a guest powering down', () => {
  test('the second is refused in the same words the first answered with', async () => {
    const client = await fixture.connect('legacy-1');
    expect((await client.execute('system_powerdown')).json).toEqual({return: {}});
    expect((await client.execute('x-svmtop-secure')).json).toEqual({return: {}});
    expect(fixture.world.events.recent(1, 'legacy-1').at(-1)?.message).toBe(
      'secure: ok (svm=on set; booting once it has shut down)',
    );
    expect((await client.execute('x-svmtop-secure')).json).toEqual({
      error: {class: 'GenericError', desc: 'legacy-1 already has svm=on set; booting once it has shut down'},
    });
  });
});

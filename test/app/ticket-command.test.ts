import {describe, expect, it} from 'vitest';
import {runTicket} from '../../src/app/ticket-command.js';
import {DEFAULT_WORLD_FILE} from '../../src/host/config/load-world.js';

const request = {configFile: DEFAULT_WORLD_FILE, guest: undefined, kernel: 'k', initrd: '', size: '64KiB'};

describe('svmtop ticket', () => {
  it('refuses a key file that never ends after reading just over 64 KiB', () => {
    expect(runTicket({...request, keyFile: '/dev/zero'})).toEqual({
      ok: false,
      error: '/dev/zero: file is over the limit of 65536 bytes',
    });
  });

  it('names a missing key file in words', () => {
    expect(runTicket({...request, keyFile: '/nonexistent.pem'})).toEqual({
      ok: false,
      error: '/nonexistent.pem: cannot read file (no such file)',
    });
  });
});

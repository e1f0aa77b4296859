import {generateKeyPairSync} from 'node:crypto';
import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {runTicket} from '../../src/app/ticket-command.js';
import {DEFAULT_WORLD_FILE} from '../../src/host/config/load-world.js';
import {runCli} from '../helpers/cli.js';

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

describe('svmtop ticket: key files that are not an Ed25519 private key in PEM (tester item 3)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'svmtop-ticket-'));
  const keyFile = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  const {publicKey, privateKey} = generateKeyPairSync('ed25519');

  it.each([
    ['not PEM at all', 'hello\n', 'not PEM (expected an Ed25519 private key: "-----BEGIN PRIVATE KEY-----")'],
    [
      'a public key',
      publicKey.export({type: 'spki', format: 'pem'}).toString(),
      'a PEM public key, not a private key (expected "-----BEGIN PRIVATE KEY-----")',
    ],
    [
      'an encrypted private key',
      privateKey.export({type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x'}).toString(),
      'an encrypted private key (svmtop reads unencrypted PKCS#8 keys)',
    ],
    [
      'a damaged private key',
      '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n',
      'a PEM private key that cannot be decoded (expected an Ed25519 key in PKCS#8)',
    ],
  ])('says in words when the key is %s (not OpenSSL’s error text)', (name, text, error) => {
    const file = keyFile(`${name}.pem`, text);
    expect(runTicket({...request, keyFile: file})).toEqual({ok: false, error: `${file}: ${error}`});
  });

  it('through the command line: one line, exit 2, like the other bad input', () => {
    const file = keyFile('cli.pem', 'hello\n');
    const result = runCli(['ticket', '--key', file, '--kernel', 'k']);
    expect(result.stderr).toBe(
      `svmtop: ${file}: not PEM (expected an Ed25519 private key: "-----BEGIN PRIVATE KEY-----")\n`,
    );
    expect(result.status).toBe(2);
  });

  it('signs with a PEM bundle Node reads: a certificate, then the key (the first label alone refused it)', () => {
    const pem = privateKey.export({type: 'pkcs8', format: 'pem'}).toString();
    const file = keyFile(
      'bundle.pem',
      `-----BEGIN CERTIFICATE-----\nMIIBAAAA\n-----END CERTIFICATE-----\n${pem}`,
    );
    expect(runTicket({...request, keyFile: file})).toMatchObject({ok: true});
  });

  it('still signs with the demo key', () => {
    expect(runTicket({...request, keyFile: 'config/keys/owner-demo.pem'})).toMatchObject({ok: true});
  });
});

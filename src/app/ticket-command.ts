import {parseSize} from '../core/units.js';
import {checkImageSize} from '../host/config/image-size.js';
import {loadWorldFile} from '../host/config/load-world.js';
import {readFileBoundedSync} from '../host/config/read-bounded.js';
import {
  guestImageBytes,
  imageDigest,
  privateKeyFromPem,
  publicKeyToBase64,
  signDigest,
} from '../host/ticket.js';
import {createPublicKey} from 'node:crypto';

/**
 * Size cap on `--key`, enforced while reading: an Ed25519 private key in PEM is 119 bytes and even
 * a 16384-bit RSA key about 12 KiB, so anything past 64 KiB is not a key.
 */
export const KEY_FILE_MAX_BYTES = 64 * 1024;

export interface TicketRequest {
  readonly configFile: string;
  readonly keyFile: string;
  readonly guest: string | undefined;
  readonly kernel: string | undefined;
  readonly initrd: string;
  readonly size: string | undefined;
}

/**
 * `svmtop ticket`: signs a guest image (from the world's guest, or from --kernel/--initrd/--size)
 * with an owner key and prints what to put in the world file.
 * @returns the text to print, or an error line
 */
export function runTicket(request: TicketRequest): {ok: true; text: string} | {ok: false; error: string} {
  let image: {kernel: string; initrd: string; size: number};
  if (request.guest) {
    const world = loadWorldFile(request.configFile);
    if (!world.ok) return {ok: false, error: world.error};
    const guest = world.value.guests.find((candidate) => candidate.name === request.guest);
    if (!guest) return {ok: false, error: `ticket: no guest "${request.guest}" in ${request.configFile}`};
    image = guest.image;
  } else {
    const size = parseSize(request.size ?? '256KiB');
    if (size === undefined)
      return {ok: false, error: `ticket: --size: expected a size like 256KiB, got "${request.size}"`};
    const problem = checkImageSize(size);
    if (problem !== undefined) return {ok: false, error: `ticket: --size: ${problem}, got "${request.size}"`};
    image = {kernel: request.kernel ?? '', initrd: request.initrd, size};
  }
  const pem = readFileBoundedSync(request.keyFile, KEY_FILE_MAX_BYTES);
  if (!pem.ok) return {ok: false, error: `${request.keyFile}: ${pem.error}`};
  let privateKey;
  try {
    privateKey = privateKeyFromPem(pem.bytes.toString('utf8'));
  } catch (error) {
    return {ok: false, error: `${request.keyFile}: ${(error as Error).message.split('\n')[0]}`};
  }
  const digest = imageDigest(guestImageBytes(image));
  const signature = signDigest(digest, privateKey);
  const publicKey = publicKeyToBase64(createPublicKey(privateKey));
  return {
    ok: true,
    text: [
      `# image ${image.kernel}${image.initrd ? ` + ${image.initrd}` : ''}, ${image.size} bytes, sha256 ${digest.toString('hex')}`,
      `# owner public key (put under keys: and in an ultravisor's trustedKeys): ${publicKey}`,
      `ticket: {key: <key name>, signature: ${signature}}`,
    ].join('\n'),
  };
}

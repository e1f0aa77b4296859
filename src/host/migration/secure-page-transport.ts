import {createCipheriv, createDecipheriv, diffieHellman, generateKeyPairSync, hkdfSync} from 'node:crypto';
import {PageState, type GuestMemory, type PageContent} from '../../core/guest-memory.js';
import type {Rng} from '../../core/rng.js';

/** An encrypted secure page as UV_PAGE_OUT hands it to the hypervisor. */
export interface EncryptedPage {
  readonly iv: Buffer;
  readonly ciphertext: Buffer;
  readonly tag: Buffer;
}

/**
 * The session key two ultravisors agree on before a secure guest moves: X25519 key agreement
 * (node:crypto) and HKDF-SHA256 into an AES-256-GCM key. One-line simplification: attestation of
 * each ultravisor is modelled as a pass/fail the fault injector can flip.
 */
export function exchangeUltravisorKeys(label: string): Buffer {
  const source = generateKeyPairSync('x25519');
  const destination = generateKeyPairSync('x25519');
  const sourceSecret = diffieHellman({privateKey: source.privateKey, publicKey: destination.publicKey});
  const destinationSecret = diffieHellman({privateKey: destination.privateKey, publicKey: source.publicKey});
  if (!sourceSecret.equals(destinationSecret)) throw new Error('X25519 agreement mismatch');
  return Buffer.from(hkdfSync('sha256', sourceSecret, Buffer.alloc(0), `svmtop migration ${label}`, 32));
}

/** UV_PAGE_OUT for migration: the page's contents, encrypted and authenticated with the session key. */
export function exportSecurePage(memory: GuestMemory, pfn: number, key: Buffer, rng: Rng): EncryptedPage {
  const iv = Buffer.allocUnsafe(12);
  rng.fillBytes(iv);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(serialize(memory.exportPage(pfn))), cipher.final()]);
  return {iv, ciphertext, tag: cipher.getAuthTag()};
}

/** UV_PAGE_IN on the target: decrypts, checks the tag, installs the page as secure. */
export function importSecurePage(memory: GuestMemory, pfn: number, page: EncryptedPage, key: Buffer): void {
  const decipher = createDecipheriv('aes-256-gcm', key, page.iv);
  decipher.setAuthTag(page.tag);
  const plain = Buffer.concat([decipher.update(page.ciphertext), decipher.final()]);
  memory.importPage(pfn, deserialize(plain));
  memory.setPageStates(pfn, 1, PageState.secure);
}

function serialize(content: PageContent): Buffer {
  if (content.kind === 'zero') return Buffer.of(0);
  if (content.kind === 'generated') {
    const bytes = Buffer.alloc(5);
    bytes[0] = 1;
    bytes.writeUInt32LE(content.generation, 1);
    return bytes;
  }
  return Buffer.concat([Buffer.of(2), content.bytes]);
}

function deserialize(bytes: Buffer): PageContent {
  if (bytes[0] === 0) return {kind: 'zero'};
  if (bytes[0] === 1) return {kind: 'generated', generation: bytes.readUInt32LE(1)};
  return {kind: 'bytes', bytes: bytes.subarray(1)};
}

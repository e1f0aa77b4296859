import {
  createCipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import {invariantBroken} from '../core/assert.js';
import {checkImageSize} from './config/image-size.js';
import type {ImageConfig} from './config/world-schema.js';

/** Everything an image's bytes depend on. */
export type ImageSeed = Pick<ImageConfig, 'kernel' | 'initrd' | 'size'>;

const imageSeed = (image: ImageSeed) => `svmtop-image\0${image.kernel}\0${image.initrd}\0${image.size}`;

const knownImages = new Map<string, Buffer>();

/**
 * The guest image's bytes, generated deterministically from its config: an AES-256-CTR keystream
 * keyed by the SHA-256 of the kernel and initrd names. The same config always yields the same image.
 * An image given to rememberGuestImages is answered from there (shared: images are never written).
 */
export function guestImageBytes(image: ImageConfig): Buffer {
  const problem = checkImageSize(image.size);
  // Refused at load (a world file) and by `svmtop ticket --size`: never cut short without a word.
  if (problem !== undefined) invariantBroken(`guest image of ${image.size} bytes: ${problem}`);
  const seed = imageSeed(image);
  const known = knownImages.get(seed);
  if (known) return known;
  const key = createHash('sha256').update(seed).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(image.size)), cipher.final()]);
}

/**
 * Images guestImageBytes made earlier, concatenated in `images`' order (the build's cache of the
 * default world's: AES-CTR costs ~3 ms per 256 KiB here, 30 ms of every start, #17). False, and
 * nothing remembered, when `bytes` is not their length.
 */
export function rememberGuestImages(images: readonly ImageSeed[], bytes: Buffer): boolean {
  if (images.reduce((total, image) => total + image.size, 0) !== bytes.length) return false;
  let offset = 0;
  for (const image of images) {
    knownImages.set(imageSeed(image), bytes.subarray(offset, offset + image.size));
    offset += image.size;
  }
  return true;
}

/** SHA-256 of an image: what the ticket signs and what the ultravisor measures. */
export function imageDigest(bytes: Uint8Array): Buffer {
  return createHash('sha256').update(bytes).digest();
}

/** An owner public key from its base64 raw 32-byte form, as worlds store them. */
export function publicKeyFromBase64(raw: string): KeyObject {
  const x = Buffer.from(raw, 'base64').toString('base64url');
  return createPublicKey({key: {kty: 'OKP', crv: 'Ed25519', x}, format: 'jwk'});
}

/** The base64 raw form of a public key. */
export function publicKeyToBase64(key: KeyObject): string {
  const jwk = key.export({format: 'jwk'});
  return Buffer.from(jwk.x ?? '', 'base64url').toString('base64');
}

/**
 * Reads an Ed25519 private key (PEM, PKCS#8). Throws with what is wrong in words, from the PEM
 * labels where they say (OpenSSL's own error for all of these is "DECODER routines::unsupported"):
 * only once Node cannot read it, so a bundle Node reads (a certificate, then the key) is taken.
 */
export function privateKeyFromPem(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new Error(unreadableKeyReason(pem));
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new Error(`expected an Ed25519 private key, got ${key.asymmetricKeyType ?? 'a symmetric key'}`);
  return key;
}

/** Why a PEM text Node cannot read as a private key is not one, from its labels (a private key's first). */
function unreadableKeyReason(pem: string): string {
  const labels = [...pem.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----/g)].map((match) => match[1]!);
  const label = labels.find((candidate) => candidate.endsWith('PRIVATE KEY')) ?? labels[0];
  if (label === undefined) return 'not PEM (expected an Ed25519 private key: "-----BEGIN PRIVATE KEY-----")';
  if (label.includes('ENCRYPTED')) return 'an encrypted private key (svmtop reads unencrypted PKCS#8 keys)';
  if (!label.endsWith('PRIVATE KEY'))
    return `a PEM ${label.toLowerCase()}, not a private key (expected "-----BEGIN PRIVATE KEY-----")`;
  return `a PEM ${label.toLowerCase()} that cannot be decoded (expected an Ed25519 key in PKCS#8)`;
}

/** Signs an image digest: the ESM blob's signature, base64. */
export function signDigest(digest: Buffer, privateKey: KeyObject): string {
  return sign(null, digest, privateKey).toString('base64');
}

/** Checks a ticket's signature over an image digest. */
export function verifyDigest(digest: Buffer, signatureBase64: string, publicKey: KeyObject): boolean {
  try {
    return verify(null, digest, publicKey, Buffer.from(signatureBase64, 'base64'));
  } catch {
    return false;
  }
}

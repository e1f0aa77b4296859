import type {GuestConfig} from './config/world-schema.js';
import {guestImageBytes} from './ticket.js';

/** Guest images by definition, built once: guests with the same image share its bytes. */
export class GuestImages {
  readonly #images = new Map<string, Buffer>();

  imageFor(config: GuestConfig): Buffer {
    const key = JSON.stringify(config.image);
    let image = this.#images.get(key);
    if (!image) {
      image = guestImageBytes(config.image);
      this.#images.set(key, image);
    }
    return image;
  }
}

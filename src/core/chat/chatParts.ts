import * as l10n from '@vscode/l10n';
import { IMAGE_MIME_TYPES, type ImageMimeType, type ImagePart } from '../../contracts/models';
import { SwitchboardError } from '../base/errors';

/**
 * The mime type of the data part that marks a prompt-cache breakpoint in VS Code chat: Copilot
 * puts one after the part whose prefix is worth caching (microsoft/vscode#312939).
 */
export const CACHE_CONTROL_MIME = 'cache_control';

/** VS Code's data parts that carry an image have a mime type of this family. */
export function isImageMime(mimeType: string): boolean {
  return mimeType.toLowerCase().startsWith('image/');
}

/**
 * An image of VS Code chat as plain data for core and the providers: its bytes in base64. A type
 * no provider takes (BMP, SVG…) is refused in words rather than dropped.
 */
export function imagePartOf(mimeType: string, bytes: Uint8Array): ImagePart {
  const type = mimeType.toLowerCase() === 'image/jpg' ? 'image/jpeg' : mimeType.toLowerCase();
  if (!(IMAGE_MIME_TYPES as readonly string[]).includes(type)) {
    throw new SwitchboardError('invalid_input', l10n.t('Switchboard cannot send an image of type {0}: the providers take PNG, JPEG, WebP and GIF images. Convert the image to one of those, then ask again.', mimeType.slice(0, 100)));
  }
  return { mimeType: type as ImageMimeType, data: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') };
}

import * as l10n from '@vscode/l10n';
import { MAX_IMAGE_BASE64_CHARS, type ChatRequest, type ConversationMessage, type ImagePart } from '../../contracts/models';
import { SwitchboardError } from '../base/errors';

/**
 * What a provider takes in images, checked before a request is sent so a person reads which
 * image is too large rather than the provider's 400 (or a 413 from a proxy on the way).
 * Sizes are of the base64 text the request carries, which is what the providers measure.
 */
export interface ImageLimits {
  /** The provider's name, for the message. */
  provider: string;
  /** The most one image may weigh, in base64 characters. */
  maxImageChars: number;
  /** The most all images of one request may weigh together, in base64 characters. */
  maxTotalChars?: number;
}

const MB = 1024 * 1024;

/**
 * OpenAI: "up to 50 MB total payload size per request" and 20 MB per image (OpenAI's vision
 * guide). Azure OpenAI and OpenAI-compatible servers take the same request, and the same limits
 * are assumed for them.
 */
export const OPENAI_IMAGE_LIMITS: Omit<ImageLimits, 'provider'> = { maxImageChars: 20 * MB, maxTotalChars: 50 * MB };
/** Anthropic: 5 MB per image, measured on the base64 text ("image exceeds 5 MB maximum: … bytes > 5242880 bytes"), and 32 MB per Messages request. */
export const ANTHROPIC_IMAGE_LIMITS: ImageLimits = { provider: 'Anthropic', maxImageChars: 5 * MB, maxTotalChars: 32 * MB };
/** Gemini: inline data beyond a 20 MB request needs the Files API, which Switchboard does not use. */
export const GEMINI_IMAGE_LIMITS: ImageLimits = { provider: 'Gemini', maxImageChars: 20 * MB, maxTotalChars: 20 * MB };
/** Ollama documents no limit (it runs on the person's own machine); the contract's own cap per image applies. */
export const OLLAMA_IMAGE_LIMITS: ImageLimits = { provider: 'Ollama', maxImageChars: MAX_IMAGE_BASE64_CHARS };

/** The images of a message, none for a message that cannot carry them. */
export function imagesOf(message: ConversationMessage): readonly ImagePart[] {
  return 'images' in message && message.images ? message.images : [];
}

/** Refuses, before anything is sent, a request whose images the provider would refuse for their size. */
export function checkImageSizes(request: Pick<ChatRequest, 'messages'>, limits: ImageLimits): void {
  let total = 0;
  let number = 0;
  for (const message of request.messages) {
    for (const image of imagesOf(message)) {
      number++;
      total += image.data.length;
      if (image.data.length > limits.maxImageChars) {
        throw new SwitchboardError(
          'invalid_input',
          l10n.t('Image {0} is {1} MB as sent, and {2} takes at most {3} MB per image. Attach a smaller image (fewer pixels, or JPEG instead of PNG), then try again.', number, megabytes(image.data.length), limits.provider, megabytes(limits.maxImageChars)),
        );
      }
    }
  }
  if (limits.maxTotalChars !== undefined && total > limits.maxTotalChars) {
    throw new SwitchboardError(
      'invalid_input',
      l10n.t('The {0} images of this request are {1} MB together as sent, and {2} takes at most {3} MB of images in one request. Send fewer or smaller images, then try again.', number, megabytes(total), limits.provider, megabytes(limits.maxTotalChars)),
    );
  }
}

function megabytes(chars: number): string {
  return (chars / MB).toFixed(1);
}

/** An image as a `data:` URL (OpenAI's and Azure's `image_url`). */
export function dataUrl(image: ImagePart): string {
  return `data:${image.mimeType};base64,${image.data}`;
}

/** Anthropic takes at most four `cache_control` breakpoints in one request. */
export const MAX_CACHE_BREAKPOINTS = 4;

/**
 * The messages whose last block gets a cache breakpoint: the last four marked ones. A later
 * breakpoint caches a longer prefix, so when there are more than Anthropic takes the earliest go.
 */
export function cacheBreakpoints(messages: readonly ConversationMessage[]): Set<ConversationMessage> {
  return new Set(messages.filter((message) => message.cacheBreakpoint).slice(-MAX_CACHE_BREAKPOINTS));
}

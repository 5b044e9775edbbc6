import * as z from 'zod';

/** A field that a connection of this provider has. The webview renders the form from these. */
export const ProviderFieldSchema = z.object({
  /** `baseUrl`, `apiKey`, or an option name stored in `connection.options`. */
  key: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/),
  label: z.string().min(1).max(100),
  /** `secret` fields are typed into VS Code's password box by the host, never into a webview. */
  kind: z.enum(['secret', 'url', 'text']),
  required: z.boolean(),
  default: z.string().max(2048).optional(),
  placeholder: z.string().max(200).optional(),
  description: z.string().max(500).optional(),
});
export type ProviderField = z.infer<typeof ProviderFieldSchema>;

export const ProviderCapabilitiesSchema = z.object({
  test: z.boolean(),
  discovery: z.boolean(),
  chat: z.boolean(),
});

/**
 * A provider id: lower-case letters, digits and dashes; a contributed provider's is namespaced by
 * its extension when registered (`publisher.extension/id`).
 */
export const ProviderIdSchema = z.string().regex(/^(?:[a-z0-9][a-z0-9-]{0,99}\.[a-z0-9][a-z0-9-._]{0,99}\/)?[a-z][a-z0-9-]{0,63}$/, 'a provider id is lower-case letters, digits and dashes');

export const ProviderDescriptorSchema = z.object({
  id: ProviderIdSchema,
  displayName: z.string().min(1).max(100),
  /** `core`, or the id of the extension that contributed it: set by Switchboard when it registers, never taken from the descriptor. */
  source: z.string().min(1).max(200),
  fields: z.array(ProviderFieldSchema).max(20),
  defaults: z.object({
    baseUrl: z.string().max(2048).optional(),
    modelRef: z.string().max(256).optional(),
  }),
  capabilities: ProviderCapabilitiesSchema,
});
export type ProviderDescriptor = z.infer<typeof ProviderDescriptorSchema>;

export const ListProvidersResponseSchema = z.object({
  providers: z.array(ProviderDescriptorSchema),
});
export type ListProvidersResponse = z.infer<typeof ListProvidersResponseSchema>;


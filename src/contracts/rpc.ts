import * as z from 'zod';
import { ErrorInfoSchema } from './errors';

/**
 * The request/reply envelope shared by every view. A request carries an id and always gets
 * exactly one reply, so the webview's promise settles either way.
 */
export const RequestIdSchema = z.string().min(1).max(64);

export const ReplySchema = z.discriminatedUnion('ok', [
  z.object({ type: z.literal('reply'), id: RequestIdSchema, ok: z.literal(true), value: z.unknown() }),
  z.object({ type: z.literal('reply'), id: RequestIdSchema, ok: z.literal(false), error: ErrorInfoSchema }),
]);
export type Reply = z.infer<typeof ReplySchema>;

/** Builds the request schema of a view from its methods: `{ type: 'request', id, method, params }`. */
export function requestSchema<const M extends Record<string, z.ZodType>>(methods: M) {
  const variants = Object.entries(methods).map(([method, params]) =>
    z.object({ type: z.literal('request'), id: RequestIdSchema, method: z.literal(method), params }),
  );
  return z.discriminatedUnion('method', variants as unknown as [RequestVariant<M>, ...RequestVariant<M>[]]);
}

type RequestVariant<M extends Record<string, z.ZodType>> = {
  [K in keyof M & string]: z.ZodObject<{
    type: z.ZodLiteral<'request'>;
    id: typeof RequestIdSchema;
    method: z.ZodLiteral<K>;
    params: M[K];
  }>;
}[keyof M & string];

/**
 * A view's whole protocol, as types only: the params schema of each request, the schema of each
 * reply's value, and the message unions each way. A webview builds its client from it
 * (`createClient<EditorProtocol>`) without importing a schema, so zod stays out of its bundle.
 */
export interface ViewProtocol<M extends Record<string, z.ZodType>, R extends { [K in keyof M]: z.ZodType }, FromView, ToView> {
  methods: M;
  results: R;
  fromView: FromView;
  toView: ToView;
}

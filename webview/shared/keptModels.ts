/** A view's snapshot as the view keeps it: with the registered models it last got. */
export type WithModels<S extends { models?: unknown[] }> = Omit<S, 'models'> & { models: NonNullable<S['models']> };

/** A snapshot without `models` keeps the ones the view had: the host sends them only when they changed (there are thousands). */
export function keepModels<S extends { models?: unknown[] }>(current: WithModels<S> | undefined, message: S): WithModels<S> {
  return { ...message, models: message.models ?? current?.models ?? ([] as unknown as NonNullable<S['models']>) };
}

/**
 * Text only a screen reader hears, read out politely whenever it changes. It stays rendered
 * while its view is open: a region that appears together with its text is often not read at
 * all, so the change of text in a region already there is what carries the news.
 */
export function LiveRegion({ testId, text }: { testId: string; text: string }) {
  return (
    <p class="visually-hidden" data-testid={testId} role="status" aria-live="polite">
      {text}
    </p>
  );
}

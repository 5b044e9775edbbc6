/**
 * Runs updates one after another, so that two concurrent read-modify-write cycles on the
 * same stored list never lose each other's record. A failed update does not stop the queue.
 */
export class WriteQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(update: () => Promise<T>): Promise<T> {
    const result = this.tail.then(update, update);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

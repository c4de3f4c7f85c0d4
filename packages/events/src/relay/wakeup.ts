/** Wakes a waiting loop early (NOTIFY, flush, stop); a pending wake-up is not lost. */
export class Wakeup {
  #pending = false;
  #resolve: (() => void) | undefined;
  notify(): void {
    this.#pending = true;
    this.#resolve?.();
  }
  async wait(ms: number): Promise<void> {
    if (!this.#pending) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        const self = this;
        this.#resolve = done;
        function done(): void {
          clearTimeout(timer);
          self.#resolve = undefined;
          resolve();
        }
      });
    }
    this.#pending = false;
  }
}

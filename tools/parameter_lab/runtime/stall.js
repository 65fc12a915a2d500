// When a boot has stopped making progress: a pure counter the worker ticks once a second.
//
// Pyodide waits forever on a core file that never arrives, so the worker watches its own
// downloads. A boot is stalled when requests are pending and none of them has delivered a
// byte for `limit` ticks. Ticks, not wall time: a tick is a timer callback, which cannot
// run while the worker is busy compiling or starting Python, so CPU work never counts as a
// stall, however slow the device.
//
//   const watch = new StallWatch(10);
//   const token = watch.begin("python_stdlib.zip");   // a request goes out
//   watch.progress();                                 // a chunk arrived (any request)
//   watch.end(token);                                 // it finished or failed
//   watch.tick();   // -> null, or the label of the request that stalled
// A request whose bytes cannot be counted (a module import) may get a longer limit.

export class StallWatch {
  #limit;
  #pending = new Map(); // token -> {label, limit}
  #quiet = 0; // ticks since the last byte, or since the last request began or ended
  #next = 1;

  constructor(limit) {
    this.#limit = limit;
  }

  begin(label, limit = this.#limit) {
    const token = this.#next++;
    this.#pending.set(token, { label, limit });
    this.#quiet = 0;
    return token;
  }

  progress() {
    this.#quiet = 0;
  }

  end(token) {
    if (this.#pending.delete(token)) this.#quiet = 0;
  }

  tick() {
    if (!this.#pending.size) {
      this.#quiet = 0; // nothing is being waited for: Python is working, or idle
      return null;
    }
    this.#quiet += 1;
    for (const { label, limit } of this.#pending.values()) if (this.#quiet >= limit) return label;
    return null;
  }
}

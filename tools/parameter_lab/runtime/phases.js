// Where a boot's time goes: named phases, each a performance.measure in the worker's
// timeline ("plab-<name>", visible in DevTools), and their durations in ms for the page
// (plab-python-ready's detail.phases). Phases may overlap (downloads run beside other
// work), so they need not add up to the total.
//
//   const phases = new Phases();
//   const end = phases.begin("wheel"); …; end();
//   await phases.time("import", () => import(url));
//   phases.summary()   // -> {wheel: 4, import: 120}

export class Phases {
  #ms = {};
  #clock;

  constructor(clock = () => performance.now()) {
    this.#clock = clock;
  }

  /** Start phase `name`; the returned function ends it (once; later calls do nothing). */
  begin(name) {
    const start = this.#clock();
    let open = true;
    return () => {
      if (!open) return;
      open = false;
      const end = this.#clock();
      this.#ms[name] = (this.#ms[name] ?? 0) + (end - start);
      try {
        globalThis.performance?.measure?.(`plab-${name}`, { start, end });
      } catch {
        // a clock other than performance.now(): the summary still has it
      }
    };
  }

  /** Run `work` (sync or async) as phase `name`, whether it succeeds or throws. */
  async time(name, work) {
    const end = this.begin(name);
    try {
      return await work();
    } finally {
      end();
    }
  }

  /** Durations so far, rounded to 0.1 ms. */
  summary() {
    return Object.fromEntries(Object.entries(this.#ms).map(([k, v]) => [k, Math.round(v * 10) / 10]));
  }
}

// A componentize-js provider of the resource-bearing `acme:dp/lib` (as `dp-provider` in Python).
let live = 0; // `index` objects not yet dropped

class Index {
  constructor(name) {
    live += 1;
    this._name = name;
    this._counts = new Map();
  }
  add(key, by) {
    const count = (this._counts.get(key) ?? 0) + by;
    this._counts.set(key, count);
    return count;
  }
  get(key) { return this._counts.get(key); }
  name() { return this._name; }
  static open(name) { return new Index(name); }
  static merge(a, b) {
    const merged = new Index(`${a._name}+${b._name}`);
    for (const source of [a, b]) for (const [key, count] of source._counts) merged.add(key, count);
    return merged;
  }
  // componentize-js calls this when the last handle to the resource is dropped
  [Symbol.dispose]() { live -= 1; }
}

const counts = (idx) => [...idx._counts].map(([k, v]) => `('${k}', ${v})`).join(', ');

export const lib = {
  Index,
  make(name) { return new Index(name); },
  consume(idx) {
    idx[Symbol.dispose](); // the provider owns `idx` now: it goes with this call
    return `consumed ${idx.name()}`;
  },
  peek(idx) { return `${idx.name()}:[${counts(idx)}]`; },
  copy(idx) { return new Index(idx.name()); },
  pair(a, b) { return [new Index(a), new Index(b)]; },
  many(names) { return names.map((n) => new Index(n)); },
  names(items) { return items.map((i) => i.name()); },
  maybe(name) { return name === undefined ? undefined : new Index(name); },
  wrap(e) {
    e.idx.add(e.key, 1);
    return { key: `${e.key}!`, idx: e.idx };
  },
  tryOpen(name) {
    if (!name) throw 'empty name'; // an `err` of `result<index, string>`
    return new Index(name);
  },
  find(name) { return name ? { tag: 'hit', val: new Index(name) } : { tag: 'miss', val: 'no name' }; },
  count(key, by) { return key.length + by; },
  live() { return live; },
};

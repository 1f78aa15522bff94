// A componentize-js consumer of the resource-bearing `acme:dp/lib`.
import { Index, make, consume, peek, copy, pair, many, maybe, wrap, tryOpen, find, live as provLive } from 'acme:dp/lib@0.1.0';

let kept = null;

function expect(wrong, what, got, want) {
  const g = JSON.stringify(got), w = JSON.stringify(want);
  if (g !== w) wrong.push(`${what}: got ${g}, want ${w}`);
}

const STEPS = {
  members(wrong) {
    const a = new Index('a');
    const b = Index.open('b');
    expect(wrong, 'method', a.add('x', 2), 2);
    expect(wrong, 'method again', a.add('x', 3), 5);
    expect(wrong, 'option some', a.get('x'), 5);
    expect(wrong, 'option none', a.get('y'), undefined);
    expect(wrong, 'static', [b.name(), b.add('x', 1)], ['b', 1]);
    a[Symbol.dispose]();
    b[Symbol.dispose]();
  },
  'borrow-back'(wrong) {
    const a = new Index('a');
    a.add('x', 5);
    expect(wrong, 'borrow passed back', peek(a), "a:[('x', 5)]");
    a[Symbol.dispose]();
  },
  copy(wrong) {
    const a = new Index('a');
    const c = copy(a);
    expect(wrong, 'copy', c.name(), 'a');
    a[Symbol.dispose]();
    c[Symbol.dispose]();
  },
  'own-returned'(wrong) {
    const made = make('made');
    expect(wrong, 'own returned', made.name(), 'made');
    made[Symbol.dispose]();
  },
  'own-back'(wrong) {
    expect(wrong, 'own passed back', consume(make('gone')), 'consumed gone');
  },
  tuple(wrong) {
    const [p, q] = pair('p', 'q');
    expect(wrong, 'tuple', [p.name(), q.name()], ['p', 'q']);
    p[Symbol.dispose]();
    q[Symbol.dispose]();
  },
  list(wrong) {
    const handles = many(['m1', 'm2']);
    expect(wrong, 'list', handles.map((h) => h.name()), ['m1', 'm2']);
    for (const h of handles) h[Symbol.dispose]();
  },
  option(wrong) {
    const some = maybe('opt');
    expect(wrong, 'option some', some === undefined ? null : some.name(), 'opt');
    if (some !== undefined) some[Symbol.dispose]();
    expect(wrong, 'option none', maybe(undefined), undefined);
  },
  record(wrong) {
    const entry = wrap({ key: 'k', idx: new Index('rec') });
    expect(wrong, 'record', [entry.key, entry.idx.get('k'), entry.idx.name()], ['k!', 1, 'rec']);
    entry.idx[Symbol.dispose]();
  },
  result(wrong) {
    const opened = tryOpen('res');
    expect(wrong, 'result ok', opened.name(), 'res');
    opened[Symbol.dispose]();
    try {
      tryOpen('');
      wrong.push('result err: no error');
    } catch (e) {
      expect(wrong, 'result err', e.payload, 'empty name');
    }
  },
  variant(wrong) {
    const hit = find('var');
    if (hit.tag === 'hit') {
      expect(wrong, 'variant', hit.val.name(), 'var');
      hit.val[Symbol.dispose]();
    } else wrong.push(`variant: got ${JSON.stringify(hit)}`);
    expect(wrong, 'variant miss', find(''), { tag: 'miss', val: 'no name' });
  },
};

export function steps() { return Object.keys(STEPS); }

export function run(step) {
  const wrong = [];
  try {
    STEPS[step](wrong);
  } catch (e) {
    wrong.push(`${step}: threw ${e}`);
  }
  return wrong;
}

export function keep(name) {
  if (kept !== null) kept[Symbol.dispose]();
  kept = new Index(name);
  kept.add(name, 1);
}

export function keptAdd(key) { return kept.add(key, 1); }

export function dropKept() {
  if (kept !== null) kept[Symbol.dispose]();
  kept = null;
}

export function live() { return provLive(); }

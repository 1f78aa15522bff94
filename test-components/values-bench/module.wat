;; Exports with no work of their own, so a benchmark sees the host's cost.
(module
  (memory (export "memory") 1 1024)
  (global $next (mut i32) (i32.const 1024))
  (func (export "count") (param i32 i32) (result i32)
    local.get 1)
  (func (export "echo-items") (param i32 i32) (result i32)
    (i32.store offset=8 (i32.const 0) (local.get 0))
    (i32.store offset=12 (i32.const 0) (local.get 1))
    i32.const 8)
  ;; A bump allocator that starts again at each call's first allocation: one list per call.
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $at i32)
    (local.set $at (i32.const 1024))
    (local.set $at (i32.and (i32.add (local.get $at) (i32.const 7)) (i32.const -8)))
    (if (i32.gt_u (i32.add (local.get $at) (local.get 3)) (i32.mul (memory.size) (i32.const 65536)))
      (then (drop (memory.grow (i32.add (i32.shr_u (local.get 3) (i32.const 16)) (i32.const 1))))))
    local.get $at))

(module
  (memory (export "memory") 4)
  ;; Arguments are copied to one scratch area: each call's are dead once it returns.
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (i32.const 1024))
  (func (export "acme:bench/lib@0.1.0#add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))
  (func (export "acme:bench/lib@0.1.0#sum") (param $ptr i32) (param $len i32) (result i32)
    (local $total i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $len)))
        (local.set $total
          (i32.add (local.get $total) (i32.load offset=4 (local.get $ptr))))
        (local.set $ptr (i32.add (local.get $ptr) (i32.const 12)))
        (local.set $len (i32.sub (local.get $len) (i32.const 1)))
        (br $next)))
    (local.get $total))
  (func (export "acme:bench/lib@0.1.0#size") (param i32 i32) (result i32)
    (local.get 1)))

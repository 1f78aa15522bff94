(module
  (import "acme:counted/lib@0.1.0" "[constructor]thing" (func $new (result i32)))
  (import "acme:counted/lib@0.1.0" "[method]thing.id" (func $id (param i32) (result i32)))
  (import "acme:counted/lib@0.1.0" "[resource-drop]thing" (func $drop (param i32)))
  (memory (export "memory") 1)
  (global $kept (mut i32) (i32.const 0))
  (func (export "cycle") (param $n i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (call $drop (call $new))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next))))
  (func (export "keep") (result i32)
    (if (global.get $kept) (then (call $drop (global.get $kept))))
    (global.set $kept (call $new))
    (call $id (global.get $kept)))
  (func (export "kept-id") (result i32)
    (call $id (global.get $kept))))

(module
  (import "acme:tally/lib@1.0.0" "[constructor]tally" (func $make (param i32) (result i32)))
  (import "acme:tally/lib@1.0.0" "[method]tally.bump" (func $bump (param i32 i32)))
  (import "acme:tally/lib@1.0.0" "[method]tally.get" (func $get (param i32) (result i32)))
  (import "acme:tally/lib@1.0.0" "[resource-drop]tally" (func $drop (param i32)))
  (memory (export "memory") 1)
  (func (export "count") (param $start i32) (param $n i32) (result i32)
    (local $h i32) (local $i i32) (local $r i32)
    (local.set $h (call $make (local.get $start)))
    (block $done
      (loop $more
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (call $bump (local.get $h) (local.get $i))
        (br $more)))
    (local.set $r (call $get (local.get $h)))
    (call $drop (local.get $h))
    (local.get $r)))

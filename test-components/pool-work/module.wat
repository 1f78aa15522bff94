(module
  (memory (export "memory") 1)
  (func (export "acme:work/lib@1.0.0#burn") (param $n i32) (result i32)
    (local $x i32)
    (block $done
      (loop $step
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $x (i32.add (i32.mul (local.get $x) (i32.const 1664525))
                               (i32.const 1013904223)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $step)))
    (local.get $x))
  (func (export "acme:work/lib@1.0.0#forever") (result i32)
    (loop $forever (br $forever))
    (i32.const 0)))

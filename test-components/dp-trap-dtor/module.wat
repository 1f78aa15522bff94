(module
  (import "[export]acme:counted/lib@0.1.0" "[resource-new]thing" (func $new (param i32) (result i32)))
  (memory (export "memory") 1)
  (global $next (mut i32) (i32.const 0))
  (func (export "acme:counted/lib@0.1.0#[constructor]thing") (result i32)
    (global.set $next (i32.add (global.get $next) (i32.const 1)))
    (call $new (global.get $next)))
  (func (export "acme:counted/lib@0.1.0#[method]thing.id") (param i32) (result i32)
    (local.get 0))
  ;; the destructor traps: dropping a handle must fault the extension like any trap
  (func (export "acme:counted/lib@0.1.0#[dtor]thing") (param i32)
    unreachable)
  (func (export "acme:counted/lib@0.1.0#live") (result i32)
    (global.get $next)))

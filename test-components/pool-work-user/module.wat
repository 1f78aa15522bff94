(module
  (import "acme:work/lib@1.0.0" "burn" (func $burn (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "run") (param i32) (result i32)
    (call $burn (local.get 0))))

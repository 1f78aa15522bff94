(module
  (import "acme:text/lib@1.0.0" "count" (func $count (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello, wasm")
  (func (export "count-greeting") (result i32)
    (call $count (i32.const 16) (i32.const 11))))

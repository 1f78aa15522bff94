(module
  (import "wasi:http/outgoing-handler@0.2.0" "handle" (func (param i32) (result i32)))
  (import "wasi:random/random@0.3.0" "get-random-u64" (func (result i64)))
  (memory (export "memory") 1))

(module
  (import "wasi:random/random@0.2.0" "get-random-u64" (func (result i64)))
  (memory (export "memory") 1))

(module
  (import "acme:dp/lib@0.1.0" "[constructor]index" (func (param i32 i32) (result i32)))
  (import "acme:dp/lib@0.1.0" "[method]index.add" (func (param i32 i32 i32 i64) (result i32)))
  (memory (export "memory") 1))

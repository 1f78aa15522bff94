(module
  (func (export "link:base/lib@1.0.0#value") (result i64) i64.const 40)
  (func (export "link:base/lib@1.0.0#sum") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (memory (export "memory") 1))

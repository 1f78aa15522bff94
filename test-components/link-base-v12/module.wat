(module
  (func (export "link:base/lib@1.2.0#value") (result i32) i32.const 40)
  (func (export "link:base/lib@1.2.0#sum") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "link:base/lib@1.2.0#extra") (result i32) i32.const 7)
  (memory (export "memory") 1))

(module
  (import "link:base/lib@1.0.0" "value" (func $value (result i32)))
  (import "link:base/lib@1.0.0" "sum" (func $sum (param i32 i32) (result i32)))
  (func (export "link:left/lib@1.0.0#value") (result i32)
    call $value
    i32.const 1
    call $sum)
  (memory (export "memory") 1))

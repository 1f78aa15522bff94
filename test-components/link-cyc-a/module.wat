(module
  (import "link:cycb/lib@1.0.0" "value" (func $other (result i32)))
  (func (export "link:cyca/lib@1.0.0#value") (result i32) call $other)
  (memory (export "memory") 1))

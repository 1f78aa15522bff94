(module
  (import "link:base/api@1.0.0" "value" (func (result i32)))
  (memory (export "memory") 1))

(module
  (import "witlink:host/host@0.1.0" "log" (func $log (param i32 i32 i32)))
  (import "witlink:host/job@0.1.0" "is-interrupted" (func $int (result i32)))
  (func (export "witlink:host/guest@0.1.0#init") (result i32) i32.const 0)
  (func (export "witlink:host/guest@0.1.0#run-job") (param i32 i32 i32 i32 i32) (result i32) i32.const 0)
  (func (export "witlink:host/guest@0.1.0#on-event") (param i32 i32 i32 i32) (result i32) i32.const 0)
  (func (export "cabi_post_witlink:host/guest@0.1.0#on-event") (param i32))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) i32.const 1024)
  (memory (export "memory") 1))

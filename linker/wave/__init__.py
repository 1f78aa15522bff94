"""WAVE (the WebAssembly Value Encoding) and the Python form of component values.

```python
from linker.wave import parse, to_wave, types as t
ty = t.RecordType((("id", t.Scalar("u32")), ("tag", t.OptionType(t.Scalar("string")))))
parse(ty, '{id: 1, tag: some("x")}')      # {'id': 1, 'tag': 'x'}
to_wave(ty, {"id": 1, "tag": None})        # '{id: 1}'
```
"""

from linker.wave.mapping import Err, Ok, Some, ValueMismatch, Variant, check
from linker.wave.parser import WaveError, parse, parse_args, split_call
from linker.wave.writer import to_wave

__all__ = [
    "Err",
    "Ok",
    "Some",
    "ValueMismatch",
    "Variant",
    "WaveError",
    "check",
    "parse",
    "parse_args",
    "split_call",
    "to_wave",
]

"""The WIT front end: grammar, resolver, wit-parser JSON and a printer."""

from linker.wit.json_io import resolve_from_json as from_json
from linker.wit.json_io import resolve_to_json as to_json
from linker.wit.loader import load
from linker.wit.model import Resolve
from linker.wit.printer import print_resolve, print_wit

__all__ = ["Resolve", "from_json", "load", "print_resolve", "print_wit", "to_json"]

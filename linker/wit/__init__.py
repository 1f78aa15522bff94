"""The WIT front end: grammar, resolver, wit-parser JSON and a printer."""

from linker.wit.model import Resolve
from linker.wit.printer import print_resolve, print_wit

__all__ = ["Resolve", "print_resolve", "print_wit"]

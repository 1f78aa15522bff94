"""The WIT front end: grammar, resolver, wit-parser JSON and a printer."""

from linker.wit.loader import load
from linker.wit.model import Resolve
from linker.wit.printer import print_resolve, print_wit

__all__ = ["Resolve", "load", "print_resolve", "print_wit"]

"""The WIT front end: grammar, resolver, wit-parser JSON and a printer."""

from linker.wit.loader import load
from linker.wit.model import Resolve

__all__ = ["Resolve", "load"]

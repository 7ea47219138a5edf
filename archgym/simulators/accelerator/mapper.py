"""placeholder"""
from __future__ import annotations
OBJECTIVES = ("energy", "delay", "edp")
class MapperResult: ...
class NetworkResult: ...
def search(*a, **k): raise NotImplementedError
def search_network(*a, **k): raise NotImplementedError

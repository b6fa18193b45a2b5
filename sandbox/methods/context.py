"""What every Bot API method gets: the sandbox's shared parts and the request's parameters."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sandbox.core import SandboxCore
from sandbox.params import Params
from sandbox.state import World


@dataclass(frozen=True)
class ApiContext:
    core: SandboxCore
    params: Params

    @property
    def world(self) -> World:
        return self.core.world


Handler = Callable[[ApiContext], Awaitable[Any]]

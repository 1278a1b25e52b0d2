"""The sandbox templates run in: Jinja's, bounded (loops, string methods, operators)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.sandbox import SandboxedEnvironment

from egov_xlsx.publish.announce.files import _TemplateFiles
from egov_xlsx.publish.announce.filters import (
    _LOOP_FILTER,
    _REMOVED_FILTERS,
    _bac,
    _chiso,
    _ds,
    _finalize,
    _guard_filter,
    _loop,
    _phantram,
    _so,
    _ten,
    _thuong,
    _tong,
)
from egov_xlsx.publish.announce.limits import (
    MAX_RANGE,
    RenderLimits,
    TemplateLimit,
    _Budget,
    _check_binop,
    _check_format,
    _check_measure,
    _check_width,
    _measure,
)
from egov_xlsx.vietnamese import format_number


class _GuardedCode(CodeGenerator):
    """Jinja's code generator, with three hooks the sandbox alone does not give.

    Every ``{% for %}`` iterates through :func:`_loop` (a clock check per step, so nested loops end at the
    time budget); template text is output through ``finalize`` like printed values (so text repeated in a
    loop counts against the size budget); ``~`` joins through :meth:`_Sandbox.checked_concat` (sizes checked before
    anything is made).
    """

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        for loop in list(node.find_all(nodes.For)):
            loop.iter = nodes.Filter(loop.iter, _LOOP_FILTER, [], [], None, None, lineno=loop.iter.lineno)
        for output in list(node.find_all(nodes.Output)):
            output.nodes = [
                nodes.Const(child.data, lineno=child.lineno) if isinstance(child, nodes.TemplateData) else child
                for child in output.nodes
            ]
        super().visit_Template(node, frame)

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.checked_concat((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class _Context(jinja2.runtime.Context):
    """Jinja's context, remembered by its environment so that :meth:`_Sandbox.release` can let go of it."""

    def __init__(self, environment: jinja2.Environment, *args: Any, **kwargs: Any) -> None:
        super().__init__(environment, *args, **kwargs)
        if isinstance(environment, _Sandbox):
            environment.contexts.append(self)


class _Sandbox(SandboxedEnvironment):
    """Jinja's sandbox, bounded in time and size.

    Bounds: ``range`` at :data:`MAX_RANGE`; ``*``, ``**``, ``+`` and ``%`` checked before they compute
    (``'x' * 10**10``, ``9**9**9``, ``'%1000000000d' % 1``); ``str.format`` widths; what every call, filter
    and operator returns; a wall-clock deadline checked at each of those and at each loop step
    (:class:`_GuardedCode`); the output's size (:func:`render_announcement`).
    """

    intercepted_binops = frozenset({"+", "*", "/", "//", "%", "**"})
    code_generator_class = _GuardedCode
    context_class = _Context

    def __init__(self, *args: Any, limits: RenderLimits, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.budget = _Budget(limits)
        #: Every context made for this rendering (the template's, each imported template's).
        self.contexts: list[jinja2.runtime.Context] = []
        self.globals["range"] = self._range
        self.globals.pop("lipsum", None)

    def release(self) -> None:
        """Let go of the variables of every context made so far (the results' views), once rendering is over.

        A template that defines or imports a macro leaves a reference cycle (the context holds the macro, the
        macro's function holds the context) that only the cycle collector frees, and with it every view the
        context reaches: at 10,000 units ~50 MB per rendering, kept until a full collection (the build's peak
        memory). Without its variables the cycle is a few objects.
        """
        for context in self.contexts:
            context.parent, context.vars, context.exported_vars = {}, {}, set()
        self.contexts.clear()

    def _range(self, *args: int) -> range:
        numbers = range(*args)
        if len(numbers) > MAX_RANGE:
            raise TemplateLimit(
                f"range() quá lớn ({format_number(len(numbers))} số, tối đa {format_number(MAX_RANGE)})"
            )
        return numbers

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any) -> Any:
        self.budget.tick()
        _check_binop(self.budget, operator, left, right)
        result = super().call_binop(context, operator, left, right)
        self.budget.value(result)
        return result

    def getattr(self, obj: Any, attribute: str) -> Any:
        self.budget.tick()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        self.budget.tick()
        return super().getitem(obj, argument)

    def checked_concat(self, parts: tuple[Any, ...]) -> str:
        _check_measure(self.budget, *parts)
        text = "".join(map(str, parts))
        self.budget.value(text)
        return text

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        fmt = value.__self__

        def checked(*args: Any, **kwargs: Any) -> str:
            _check_format(fmt)
            _check_measure(self.budget, fmt, args, kwargs)
            return wrapped(*args, **kwargs)

        return functools.update_wrapper(checked, value)

    def call(__self, __context: jinja2.runtime.Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        budget = __self.budget
        budget.tick()
        owner = getattr(__obj, "__self__", None)
        name = getattr(__obj, "__name__", "")
        if isinstance(owner, str | bytes):
            args = _pre_str_method(budget, owner, name, args)
        elif isinstance(owner, list | dict | set):
            _check_measure(budget, args, kwargs)
        result = super().call(__context, __obj, *args, **kwargs)
        budget.value(result)
        if isinstance(owner, list | dict | set):
            budget.size(len(owner))
            budget.charge(_measure(args, budget.limits.chars) + 1)
        return result


def _pre_str_method(budget: _Budget, owner: str | bytes, name: str, args: tuple[Any, ...]) -> tuple[Any, ...]:
    """``'x'.center(10**9)``, ``s.replace('x', s)``, ``s.join(...)``: refused before they run."""
    if name in ("center", "ljust", "rjust", "zfill") and args:
        _check_width(args[0])
    elif name == "expandtabs":
        _check_width(args[0] if args else 8)
    elif name == "replace" and len(args) >= 2:
        old, new = args[0], args[1]
        if isinstance(old, str | bytes) and isinstance(new, str | bytes):
            hits = owner.count(old) if old else len(owner) + 1  # type: ignore[arg-type]
            budget.size(len(owner) + hits * max(len(new) - len(old), 0))
    elif name == "join" and args:
        items = list(args[0])
        total = sum(len(i) if isinstance(i, str | bytes) else 0 for i in items)
        budget.size(total + len(owner) * len(items))
        args = (items, *args[1:])
    elif name in ("format", "format_map"):
        pass  # wrap_str_format checks it
    return args


def make_environment(dirs: Sequence[Path], *, markdown: bool = False, limits: RenderLimits | None = None) -> _Sandbox:
    """A Jinja environment over ``dirs`` (first match wins) with the announcement's filters.

    Undefined variables are errors (``StrictUndefined``), nothing is HTML-escaped, block tags take their line
    with them (``trim_blocks``, ``lstrip_blocks``). The environment is sandboxed and bounded (see
    :class:`_Sandbox`): a template copied from another campaign can read the results, but cannot reach
    Python internals or files, and cannot run longer or make more than ``limits`` allow (its clock starts
    here: make one environment per rendering).
    """
    env = _Sandbox(
        loader=_TemplateFiles([str(d) for d in dirs], encoding="utf-8"),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.do"],
        finalize=_finalize,
        limits=limits or RenderLimits(),
    )
    env.filters.update(so=_so, tong=_tong, phantram=_phantram, chiso=_chiso, ds=_ds, ten=_ten, bac=_bac, thuong=_thuong)
    for name in _REMOVED_FILTERS:
        env.filters.pop(name, None)
    env.filters = {name: _guard_filter(env, name, f) for name, f in env.filters.items()}
    env.filters[_LOOP_FILTER] = _loop
    env.globals["markdown"] = markdown
    return env

"""The type checker: name resolution, types, implicit conversions and constant folding.

:func:`check_program` annotates the syntax tree in place (see ``ast.py`` for the annotation fields)
or raises :class:`P4Error` with the location of the offending node. The work is split by topic:
``check_types.py`` (type references), ``check_expr.py`` (expressions), ``check_call.py`` (calls,
overloads, type-argument inference), ``check_stmt.py`` (statements), ``check_decl.py`` (types,
externs, functions, actions, instances), ``check_blocks.py`` (parsers, controls, tables).

Conventions the back-ends rely on:

* Every expression has ``type``. Unsized integers (``IntT``) are compile-time constants; wherever
  one is used in a fixed-width context (operand next to a bit/int operand, assignment,
  initializer, argument of a typed parameter, return value, comparison, select keyset, table entry
  key, switch label) its ``type`` is set to the target type and its ``const`` to the value wrapped
  to that width. The only ``IntT`` expressions left are those where no width is implied: shift
  amounts, slice bounds, header stack / tuple indices, ``push_front``/``pop_front`` counts,
  ``minSizeInBits()``-style calls, arguments of ``int``-typed parameters and elements of list
  expressions passed to a generic parameter (e.g. the data of ``hash``) when the element is an
  unsized literal.
* ``const`` is set on every compile-time constant expression (see ``check_expr.py`` for the value
  representation: ``int<W>`` values are signed numbers, ``bit<W>`` values non-negative). A node
  with ``const`` set may be used without looking at its children.
* ``Name.decl`` is the declaration named; a ``Name`` that denotes a type (``E`` in ``E.A``,
  ``error``) has the denoted type as ``type`` (and the type declaration as ``decl``, None for
  ``error`` and type variables).
* ``Call.kind``/``target``/``bound_args``/``resolved_type_args`` as documented in ``ast.py``. For
  a ``constructor`` call, ``target`` is the extern's constructor ``MethodDecl`` (or the
  parser/control/package/extern declaration when there is no constructor) and the call's ``type``
  is the instance type. Calls of ``minSizeInBits()`` etc. have ``kind='type_method'``, type
  ``int`` and ``const``. Calls of a sub-parser/control ``apply`` have ``target`` = the
  ``InstanceDecl`` (or constructor ``Param``) named.
* Table actions: each ``ActionRef.call`` and the ``default_action``/entry calls have
  ``kind='action'``, ``target`` the ``ActionDecl`` and ``bound_args`` over all the action's
  parameters. In the ``actions`` list the directionless (control-plane) ones are None; in
  ``default_action`` and entries every parameter is bound, the directional ones taken from the
  ``actions`` list when not repeated (the same Expr node then appears in both places).
* A sub-parser/control ``apply`` has ``target`` = what the callee names: the ``InstanceDecl``,
  a constructor ``Param`` (bound to an instance in ``BlockInstance.ctor_values``), or, for a
  direct type invocation ``Sub.apply(...)``, the ``ControlDecl``/``ParserDecl`` itself (the
  elaborator then creates ``BlockInstance.children[<type name>]``).
* Extern constructor arguments are converted to the declared parameter types (``bit<32>`` sizes
  in v1model); only ``int``-typed parameters keep ``IntT``.
* Generic functions are checked once, with type variables (``TypeVar``) in their body; each call
  has ``resolved_type_args``.
* Keysets (select cases, entry keys): each element is coerced to its key type; ``&&&``/``..``
  nodes get the key type (their operands are constants); ``default``/``_`` get ``DontCareT``; a
  value-set keyset is a ``Name`` whose ``decl`` is the ``ValueSetDecl``.
* ``InstanceDecl.type_ref.resolved`` is the instance's type; ``InstanceDecl.ctor`` and
  ``bound_args`` are the constructor and its arguments.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import ast
from .check_blocks import check_control, check_parser
from .check_decl import (
    check_action,
    check_data_local,
    check_enum,
    check_errors,
    check_extern,
    check_extern_function,
    check_function,
    check_match_kinds,
    check_prototype,
    check_struct_like,
    check_typedef,
)
from .errors import P4Error
from .scopes import Cx, Env, Scope


@dataclass(slots=True)
class CheckedProgram:
    """The result of :func:`check_program`: the annotated program and program-wide facts."""

    program: ast.Program
    errors: dict[str, int]  # error member -> BMv2 error code, for every declared error
    match_kinds: frozenset[str]
    scope: Scope  # the top-level scope


def check_program(program: ast.Program) -> CheckedProgram:
    """Check ``program`` and annotate it in place; raises :class:`P4Error` on the first error."""
    env = Env(Scope(None, "top"))
    cx = Cx(env, env.root)
    for d in program.decls:
        try:
            check_top_decl(cx, d)
        except P4Error:
            raise
        except RecursionError:
            raise P4Error("the program nests too deeply", d.loc) from None
        except Exception as exc:  # a checker bug must still come out as a located message
            raise P4Error(f"internal error while checking '{d.name}': {exc!r}", d.loc) from exc
    errors = {n: env.errors[n] for n in env.error_decl_order}
    return CheckedProgram(program, errors, frozenset(env.match_kinds), env.root)


def check_top_decl(cx: Cx, d: ast.Decl) -> None:
    if isinstance(d, (ast.HeaderDecl, ast.StructDecl, ast.HeaderUnionDecl)):
        check_struct_like(cx, d)
    elif isinstance(d, ast.EnumDecl):
        check_enum(cx, d)
    elif isinstance(d, (ast.TypedefDecl, ast.NewTypeDecl)):
        check_typedef(cx, d)
    elif isinstance(d, ast.ErrorDecl):
        check_errors(cx, d)
    elif isinstance(d, ast.MatchKindDecl):
        check_match_kinds(cx, d)
    elif isinstance(d, ast.ExternDecl):
        check_extern(cx, d)
    elif isinstance(d, ast.ExternFunctionDecl):
        check_extern_function(cx, d)
    elif isinstance(d, ast.FunctionDecl):
        check_function(cx, d)
    elif isinstance(d, ast.ActionDecl):
        check_action(cx, d)
    elif isinstance(d, (ast.ParserTypeDecl, ast.ControlTypeDecl, ast.PackageDecl)):
        check_prototype(cx, d)
    elif isinstance(d, ast.ParserDecl):
        check_parser(cx, d)
    elif isinstance(d, ast.ControlDecl):
        check_control(cx, d)
    elif not check_data_local(cx, d):
        raise P4Error(f"declaration of '{d.name}' is not allowed at the top level", d.loc)

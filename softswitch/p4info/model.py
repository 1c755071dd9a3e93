"""What P4Info needs to know about a program, already resolved (no syntax tree).

The front-end's elaboration pass fills a :class:`ProgramSpec`; ``softswitch.p4info.build``
turns it into the P4Info message p4c 1.2.4.8 writes for the same program (``p4c-bm2-ss
--p4runtime-files``). The builder does the P4Runtime bookkeeping itself -- ids, aliases,
``@id`` checks, field numbering, scopes, the ``type_info`` catalogue, which annotations are
printed, table ids of action profiles, direct resources -- so the front-end only states facts
about the program. The rules below say how to state them. "p4c" means p4c 1.2.4.8, whose
P4Info comes from the program as it stands after the front-end passes (after sub-control
inlining, action localization and removal of unused declarations), which explains most of
them.

Names
-----
* Every control-plane name is the object's *fully qualified* name with no leading dot.
* An object declared in a control or parser is ``<T>.<local>``, where ``T`` is the
  control/parser **type** name (``Ing``, ``P``), even if the control itself has an ``@name``.
  ``<local>`` is the object's ``@name`` if it has one, else its identifier.
* ``@name("x")`` replaces only the local part. ``@name(".x")`` (leading dot) is global: the
  name is ``x``, with no prefix at all.
* Objects of a sub-control (or sub-parser) instance are prefixed with the instance's name (its
  ``@name`` if any) and then with the enclosing names: instance ``inbound`` of ``Filter`` in
  ``Ing`` gives ``Ing.inbound.rules`` and ``Ing.inbound.block``; nesting repeats this
  (``Ing.a.b.t``). Global (leading-dot) names are never prefixed.
* Top-level actions keep their bare name (``NoAction``, ``global_noop``). A top-level action
  with a *relative* ``@name("n")`` is named like a local of the control that uses it:
  ``Ing.n``.
* Action parameter names are the parameter's ``@name`` if it has one, else its identifier.
  Only directionless parameters are control-plane parameters (p4c binds the directional
  ones from the ``actions`` list and removes them).
* An extern constructed inside a table property (``@name("ap") implementation =
  action_profile(128)``, likewise ``counters``/``meters``) is named by the property's
  ``@name`` *verbatim*: no control or instance prefix (p4c's ``ap``, not ``IngressI.ap``).
* Only ``@hidden`` on an action, table, controller header or header field hides it. Hidden
  actions and tables are still listed in the spec with ``hidden=True``: they keep their part
  in id assignment and aliases, a table still refers to a hidden action, and an action profile
  still counts a hidden table in its ``table_ids``.

What is listed (and in which order)
-----------------------------------
The order of each list below is the order p4c writes; the builder keeps it.
Top-level blocks are taken in the order of the ``V1Switch`` arguments (parser,
verifyChecksum, ingress, egress, computeChecksum, deparser); inside a block, a sub-control
instance is replaced, at the place it is declared, by its own locals in order (recursively).

* ``actions``: for each control in that order, first the *top-level* actions the control
  uses, in the order of their first reference in the control (tables in declaration order;
  inside a table, its properties in the order written, the ``actions`` list element by
  element; the implicit ``@defaultonly NoAction`` counts as the last element of the list),
  then the control's own actions in declaration order (not in the order tables list them). An
  action already listed (same name, e.g. ``NoAction`` used by two controls) may be listed
  again; only the first counts.
  An action is listed when a *surviving* table refers to it (``actions``, ``default_action``
  or ``entries``) or the control's apply block calls it directly (p4c keeps such actions:
  the golden-less sample ``action-synth.p4`` lists ``IngressI.aux.a``). p4c drops actions
  nobody refers to, inlines actions that are only called from other actions (and then drops
  them), and drops tables never applied -- and with them the actions only they used. Hence
  ``hidden_act`` in the golden ``annotations.p4`` and ``send_back`` in p4c's
  ``crc32-bmv2.p4`` are absent. For the first-reference order above, references from apply
  blocks come after all references from tables.
* ``tables``: tables that are applied somewhere (unused tables are dropped with a warning),
  in the block order above, declaration order inside a control.
* ``counters``, ``meters``, ``registers``, ``direct_counters``, ``direct_meters``,
  ``action_profiles``: every extern instance declaration, *used or not* (p4c keeps extern
  instances), in block order / declaration order. An action profile or selector constructed
  inside a table's ``implementation`` property (``implementation = action_profile(32)``,
  with an ``@name`` on the property) is listed at the position of its table. Direct counters
  and meters come out in the order of the tables using them (the builder handles that).
* ``value_sets``: parser ``value_set`` declarations that a ``select`` uses (unused ones are
  removed), parser order, declaration order.
* ``controller_headers``: every header *type* annotated ``@controller_header``, used or not,
  in program order (declarations from included files first, as they appear).
* ``digests``: one per ``digest(receiver, data)`` call, walking each control in block order:
  first the calls in the control's actions (action by action, in the ``actions`` order
  above, inside each action in source order; an action called from another action has been
  inlined into its caller, so its calls count there), then the calls written in the
  control's apply block (with sub-control apply blocks inlined where they are applied).
  The name is the type argument's name when it names a struct (or a typedef of one: then the
  *typedef* name), else ``digest_N`` with ``N`` counting such calls (0, 1, ...) over the
  whole program in that walk. Calls with the same name make one digest. (p4c copies an
  action once per table or call site that uses it; a ``digest_N`` call inside an action used
  by two tables is therefore seen twice and gets two numbers. Front-ends that do not copy
  actions will differ here; the case has no golden file.)

Tables
------
* ``keys``: every key element, in order, *including* ``selector`` ones (they take a field id
  but are not printed). ``match_kind`` is the match_kind name (``exact``, ``lpm``,
  ``ternary``, ``range``, ``optional``, ``selector`` or any other, which P4Info writes as
  ``other_match_type``). ``type`` is the type of the key expression (``bool`` for
  ``isValid()``; a slice ``x[7:0]`` is ``bit<8>``).
* Key names, unless the key element has ``@name("n")`` (then ``n``, verbatim):

  - a path is written as it is (``m``, ``.x`` for an absolute path);
  - ``e.f`` is ``<name of e>.<f>``, where ``f`` is the field's ``@name`` if the struct or
    header field declares one; if that ``@name`` starts with a dot, the key name is that
    ``@name`` without its dot (the left side ``e`` is dropped);
  - ``h.isValid()`` on a header or header union is ``<name of h>.$valid$``;
  - ``a[i]`` is ``<a>[<i>]``; ``x[h:l]`` is ``<x>[<h>:<l>]``; ``x & m`` is ``<x> & <m>``;
  - an integer literal is written in the base it was written in, without its width or
    sign prefix: ``0x`` + lower-case hex, ``0o`` + octal, ``0b`` + binary, or decimal
    (``8w0xFF`` gives ``0xff``);
  - any other expression (casts, arithmetic, function calls) is an error in p4c
    ("Complex key expression requires a @name annotation").

* ``actions``: the table's ``actions`` list in order, each with the annotations written on
  the list element (``@tableonly``, ``@defaultonly``, others). When the table has no
  ``default_action`` property, p4c adds ``default_action = NoAction()`` and, only if
  ``NoAction`` is not already in the list, appends ``NoAction`` with one annotation
  ``@defaultonly``. If the list already has ``NoAction`` it stays as written (golden
  ``subcontrols.p4``: ``actions = { set_nh; NoAction; }`` gives a plain reference).
  Annotations on an action *declaration* do not make a scope.
* ``const_default_action``: the action's name when the table says ``const default_action``;
  None otherwise (p4c 1.2.4.8 writes nothing for a non-const default action).
* ``size``: the ``size`` property's value (None, or 0, means 1024). ``const entries`` do not
  change it.
* ``is_const_table``: the table has ``const entries``. ``has_initial_entries``: ``entries``
  or ``const entries`` with at least one entry.
* ``implementation``: the action profile / selector named by ``implementation``.
  ``direct_counter`` / ``direct_meter``: the instances named by the ``counters`` / ``meters``
  property. ``support_timeout``: ``support_timeout = true``.
* An empty ``key = { }`` is the same as no key.

Types and widths
----------------
Types are given as :data:`DataType` values with typedefs resolved, named types kept by name
(struct, header, header union, enum, serializable enum, ``type`` new types, ``error``), and
generic structs named as p4c specializes them (e.g. ``s2_t_bit32``). Every named type used
must be defined in ``ProgramSpec.types`` (:class:`TypeCatalog`). The builder derives:

* bit widths: ``bit<W>``/``int<W>`` -> W; ``bool`` -> 1; serializable enum -> its width;
  a new type -> its ``@p4runtime_translation`` width (0 for ``string``), else the width of its
  underlying type; ``error`` -> 0.
* ``type_name``: only for ``type`` new types (p4c 1.2.4.8 gives none to serializable
  enums); a plain enum parameter gets its enum name and no bitwidth.
* ``type_info``: every named type reached from an action parameter, a match field, a packet
  metadata field, a register or digest type, recursively, like p4c's TypeSpecConverter.

Annotations
-----------
Give each declaration's annotations in source order, including ``@name``, ``@id``,
``@brief`` and the rest: the builder drops what p4c does not print (unstructured ``@name``,
``@id``, ``@brief``, ``@description``; also ``@max_group_size`` on action profiles,
``@match`` on value-set fields, ``@p4runtime_translation`` on new types, ``@pkginfo`` on
the package). ``@brief("...")`` / ``@description("...")`` also go in ``doc`` (last one wins).
``@id(N)`` also goes in ``explicit_id``. p4c prints the remaining annotations as follows,
which :class:`Annotation` stores in ``body``:

* Annotations p4c parses (``noWarn``, ``deprecated``, ``controller_header``, ``alias``,
  ``length``, ``match``, ``priority``, ``synchronous``, ``field_list``, and the empty ones:
  ``tableonly``, ``defaultonly``, ``hidden``, ``atomic``, ``optional``, ``pure``,
  ``noSideEffects``, ``disable_optimization``, ``metadata``) print their arguments as P4,
  joined by ``", "``: string literals in double quotes with JSON-style escapes
  (:func:`string_literal_text`), integers in the base written with their width prefix if
  typed (``8w0xff``). Empty ones print as ``@tableonly`` even if written ``@tableonly()``.
* Any other unstructured annotation prints its body's *tokens* joined by single spaces, each
  token as it was written (string literals with their quotes): ``@foo(1, "a")`` prints as
  ``@foo(1 , "a")`` (:func:`Annotation.from_tokens`). An empty body prints no parentheses.
* Structured annotations (``@foo[...]``) go to ``structured_annotations`` as expression lists
  or key/value lists of int, bool and string literals.

Other entities
--------------
* Counters: ``unit`` is the ``CounterType`` member (``packets``, ``bytes``,
  ``packets_and_bytes``); meters: the ``MeterType`` member (``packets``, ``bytes``). ``size``
  is the constructor's size argument.
* Registers: ``type`` is the element type argument as written; ``size`` the constructor's.
* Action profiles: ``action_profile(size)`` and ``action_selector(algo, size, width)``;
  ``max_group_size`` from ``@max_group_size(N)``.
* Controller headers: ``type_name`` is the header type's name (its ``@name`` if any; the id
  is hashed from it); ``controller_name`` is the ``@controller_header`` string (the P4Info
  name and alias). Fields are the header's fields in order; a field whose type is a struct
  is flattened depth-first into its leaf fields named ``outer.inner`` (identifiers, not
  ``@name``s, and the leaves inherit the enclosing fields' annotations); otherwise a field's
  name is its ``@name`` if it has one.
* Value sets: ``value_set<bit<W>>(N)`` has one match (no name, EXACT, W bits); a struct
  element type has one match per field (name, ``@match`` kind or EXACT, ``@id``, the other
  annotations); a serializable-enum element type has one EXACT match per enum member.
* ``pkg_info``: arch ``v1model``; the ``@pkginfo(name=..., version=..., organization=...,
  contact=..., url=..., arch=...)`` keys on the ``main`` declaration; its other annotations.
* ``uses_type_info``: p4c writes an (often empty) ``type_info { }`` whenever it looked at any
  table, action parameter, extern instance, extern function call or packet metadata field.
  The builder sees most of these in the spec; set this flag when a control's apply block or
  an action in a control calls an extern *function* (``mark_to_drop``, ``digest``, ``hash``,
  ``clone``, ``verify_checksum``, ...) or the program instantiates an extern object not
  modelled here (e.g. ``Checksum16``), so that ``type_info`` is written even with no tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from softswitch.frontend.errors import P4Error

__all__ = [
    "ActionProfileSpec",
    "ActionRefSpec",
    "ActionSpec",
    "Annotation",
    "AnnotationValue",
    "BitsType",
    "BoolType",
    "ControllerFieldSpec",
    "ControllerHeaderSpec",
    "CounterSpec",
    "DataType",
    "DigestSpec",
    "DirectCounterSpec",
    "DirectMeterSpec",
    "Doc",
    "HeaderUnionDef",
    "KeySpec",
    "MeterSpec",
    "NamedType",
    "NewTypeDef",
    "P4InfoError",
    "ParamSpec",
    "PkgInfoSpec",
    "ProgramSpec",
    "RegisterSpec",
    "SerEnumDef",
    "StackType",
    "StructDef",
    "TableSpec",
    "Translation",
    "TupleType",
    "TypeCatalog",
    "ValueSetMatchSpec",
    "ValueSetSpec",
    "VarbitType",
    "string_literal_text",
]


class P4InfoError(P4Error):
    """A program that P4Info cannot describe (the message says why). It is a :class:`P4Error`, so
    every command that reports a bad program (``softswitch compile``, ``stf``, ``run``) prints it as
    ``error: ...`` instead of a traceback."""


# --------------------------------------------------------------------------------------------
# Annotations and documentation

AnnotationValue = int | bool | str
"""A literal inside a structured annotation (bool is checked before int)."""


def string_literal_text(value: str) -> str:
    """A P4 string literal as p4c prints it inside an annotation: quoted, JSON-style escapes."""
    out = ['"']
    for ch in value:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\b":
            out.append("\\b")
        elif ch == "\f":
            out.append("\\f")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


@dataclass(frozen=True, slots=True)
class Annotation:
    """One annotation on a declaration.

    For an unstructured annotation, ``body`` is the text p4c prints between the parentheses
    (None: no parentheses). For a structured one (``@name[...]``), ``structured`` is True and
    the literals are in ``expressions`` or ``kv_pairs`` (both empty for ``@name[]``).
    """

    name: str
    body: str | None = None
    structured: bool = False
    expressions: tuple[AnnotationValue, ...] = ()
    kv_pairs: tuple[tuple[str, AnnotationValue], ...] = ()

    @staticmethod
    def empty(name: str) -> Annotation:
        """``@name`` with no arguments (``@tableonly``, ``@hidden``)."""
        return Annotation(name)

    @staticmethod
    def string(name: str, value: str) -> Annotation:
        """A parsed annotation with one string argument (``@noWarn("unused")``)."""
        return Annotation(name, string_literal_text(value))

    @staticmethod
    def from_tokens(name: str, tokens: tuple[str, ...] | list[str]) -> Annotation:
        """An annotation p4c does not parse: its body tokens, each as written in the source."""
        return Annotation(name, " ".join(tokens) if tokens else None)

    def text(self) -> str:
        """The string P4Info's ``annotations`` field holds for an unstructured annotation."""
        if self.body is None or self.body == "":
            return "@" + self.name
        return f"@{self.name}({self.body})"


@dataclass(frozen=True, slots=True)
class Doc:
    """``@brief`` and ``@description`` (P4Info's ``doc``)."""

    brief: str | None = None
    description: str | None = None


Annotations = tuple[Annotation, ...]

# --------------------------------------------------------------------------------------------
# Data types


@dataclass(frozen=True, slots=True)
class BitsType:
    """``bit<W>`` (or ``int<W>`` when ``signed``)."""

    width: int
    signed: bool = False


@dataclass(frozen=True, slots=True)
class VarbitType:
    max_width: int


@dataclass(frozen=True, slots=True)
class BoolType:
    pass


@dataclass(frozen=True, slots=True)
class TupleType:
    """A tuple or list type (``{a, b}`` passed to ``digest``)."""

    members: tuple[DataType, ...]


NamedKind = Literal["struct", "header", "header_union", "enum", "serializable_enum", "new_type", "error"]


@dataclass(frozen=True, slots=True)
class NamedType:
    """A reference to a named type defined in the :class:`TypeCatalog` (``error``: name "error")."""

    kind: NamedKind
    name: str


@dataclass(frozen=True, slots=True)
class StackType:
    """``H[size]`` for a header or header-union type ``H``."""

    element: NamedType
    size: int


DataType = BitsType | VarbitType | BoolType | TupleType | NamedType | StackType


@dataclass(frozen=True, slots=True)
class StructDef:
    """A struct: member names (their ``@name`` if any) and types."""

    members: tuple[tuple[str, DataType], ...]


@dataclass(frozen=True, slots=True)
class HeaderUnionDef:
    """A header union: member names and their header type names."""

    members: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class SerEnumDef:
    """A serializable enum ``enum bit<width> E { A = 1, ... }`` (members in order)."""

    width: int
    members: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class Translation:
    """``@p4runtime_translation(uri, W)``; ``sdn_bitwidth`` None means ``string``."""

    uri: str
    sdn_bitwidth: int | None


@dataclass(frozen=True, slots=True)
class NewTypeDef:
    """``type U N``: ``underlying`` is U with any chain of new types followed to its end."""

    underlying: DataType
    translation: Translation | None = None
    annotations: Annotations = ()


@dataclass(slots=True)
class TypeCatalog:
    """Definitions of the program's named types (only the reached ones reach ``type_info``).

    Header members are the flattened leaf fields (struct-typed fields expanded to
    ``outer.inner``), each a ``bit``/``int``/``varbit``.
    """

    structs: dict[str, StructDef] = field(default_factory=dict)
    headers: dict[str, StructDef] = field(default_factory=dict)
    header_unions: dict[str, HeaderUnionDef] = field(default_factory=dict)
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)
    serializable_enums: dict[str, SerEnumDef] = field(default_factory=dict)
    new_types: dict[str, NewTypeDef] = field(default_factory=dict)
    errors: tuple[str, ...] = ()


# --------------------------------------------------------------------------------------------
# Actions and tables


@dataclass(frozen=True, slots=True)
class ParamSpec:
    """An action parameter (directionless), in declaration order."""

    name: str
    type: DataType
    annotations: Annotations = ()
    doc: Doc | None = None
    explicit_id: int | None = None


@dataclass(frozen=True, slots=True)
class ActionSpec:
    name: str
    params: tuple[ParamSpec, ...] = ()
    annotations: Annotations = ()
    doc: Doc | None = None
    explicit_id: int | None = None
    hidden: bool = False


@dataclass(frozen=True, slots=True)
class KeySpec:
    """One key element (selector ones included)."""

    name: str
    type: DataType
    match_kind: str
    annotations: Annotations = ()
    doc: Doc | None = None
    explicit_id: int | None = None


@dataclass(frozen=True, slots=True)
class ActionRefSpec:
    """An element of a table's ``actions`` list, with the annotations written on it."""

    action: str
    annotations: Annotations = ()

    @property
    def scope(self) -> Literal["TABLE_AND_DEFAULT", "TABLE_ONLY", "DEFAULT_ONLY"]:
        names = {a.name for a in self.annotations}
        if "tableonly" in names and "defaultonly" in names:
            raise P4InfoError(
                f"action reference {self.action!r} is annotated with both '@tableonly' and '@defaultonly'"
            )
        if "tableonly" in names:
            return "TABLE_ONLY"
        if "defaultonly" in names:
            return "DEFAULT_ONLY"
        return "TABLE_AND_DEFAULT"


@dataclass(frozen=True, slots=True)
class TableSpec:
    name: str
    keys: tuple[KeySpec, ...] = ()
    actions: tuple[ActionRefSpec, ...] = ()
    annotations: Annotations = ()
    doc: Doc | None = None
    explicit_id: int | None = None
    hidden: bool = False
    size: int | None = None
    const_default_action: str | None = None
    is_const_table: bool = False
    has_initial_entries: bool = False
    implementation: str | None = None
    direct_counter: str | None = None
    direct_meter: str | None = None
    support_timeout: bool = False


# --------------------------------------------------------------------------------------------
# Extern instances


@dataclass(frozen=True, slots=True)
class ActionProfileSpec:
    name: str
    size: int
    with_selector: bool = False
    max_group_size: int | None = None
    annotations: Annotations = ()
    doc: Doc | None = None
    explicit_id: int | None = None


CounterUnit = Literal["packets", "bytes", "packets_and_bytes"]
MeterUnit = Literal["packets", "bytes"]


@dataclass(frozen=True, slots=True)
class CounterSpec:
    name: str
    unit: CounterUnit
    size: int
    annotations: Annotations = ()
    doc: Doc | None = None
    explicit_id: int | None = None
    index_type: DataType | None = None  # only v1model >= 20200408 has an index type parameter


@dataclass(frozen=True, slots=True)
class DirectCounterSpec:
    name: str
    unit: CounterUnit
    annotations: Annotations = ()
    doc: Doc | None = None
    explicit_id: int | None = None


@dataclass(frozen=True, slots=True)
class MeterSpec:
    name: str
    unit: MeterUnit
    size: int
    annotations: Annotations = ()
    doc: Doc | None = None
    explicit_id: int | None = None
    index_type: DataType | None = None


@dataclass(frozen=True, slots=True)
class DirectMeterSpec:
    name: str
    unit: MeterUnit
    annotations: Annotations = ()
    doc: Doc | None = None
    explicit_id: int | None = None


@dataclass(frozen=True, slots=True)
class RegisterSpec:
    name: str
    type: DataType
    size: int
    annotations: Annotations = ()
    doc: Doc | None = None
    explicit_id: int | None = None
    index_type: DataType | None = None


@dataclass(frozen=True, slots=True)
class DigestSpec:
    """One ``digest`` call: its P4Runtime name and the type of its data."""

    name: str
    type: DataType


# --------------------------------------------------------------------------------------------
# Parser value sets, packet I/O headers, package


@dataclass(frozen=True, slots=True)
class ValueSetMatchSpec:
    name: str | None
    bitwidth: int
    match_kind: str = "exact"
    annotations: Annotations = ()
    doc: Doc | None = None
    explicit_id: int | None = None


@dataclass(frozen=True, slots=True)
class ValueSetSpec:
    name: str
    size: int
    matches: tuple[ValueSetMatchSpec, ...]
    annotations: Annotations = ()
    doc: Doc | None = None
    explicit_id: int | None = None


@dataclass(frozen=True, slots=True)
class ControllerFieldSpec:
    """A (flattened) field of a ``@controller_header`` header, in header order."""

    name: str
    type: DataType
    annotations: Annotations = ()
    explicit_id: int | None = None
    hidden: bool = False


@dataclass(frozen=True, slots=True)
class ControllerHeaderSpec:
    type_name: str
    controller_name: str
    fields: tuple[ControllerFieldSpec, ...]
    annotations: Annotations = ()
    doc: Doc | None = None
    explicit_id: int | None = None
    hidden: bool = False


@dataclass(frozen=True, slots=True)
class PkgInfoSpec:
    arch: str = "v1model"
    name: str | None = None
    version: str | None = None
    organization: str | None = None
    contact: str | None = None
    url: str | None = None
    annotations: Annotations = ()
    doc: Doc | None = None


@dataclass(slots=True)
class ProgramSpec:
    """Everything P4Info says about one program; each list in the order p4c writes it."""

    pkg_info: PkgInfoSpec | None = field(default_factory=PkgInfoSpec)
    tables: list[TableSpec] = field(default_factory=list)
    actions: list[ActionSpec] = field(default_factory=list)
    action_profiles: list[ActionProfileSpec] = field(default_factory=list)
    counters: list[CounterSpec] = field(default_factory=list)
    direct_counters: list[DirectCounterSpec] = field(default_factory=list)
    meters: list[MeterSpec] = field(default_factory=list)
    direct_meters: list[DirectMeterSpec] = field(default_factory=list)
    controller_headers: list[ControllerHeaderSpec] = field(default_factory=list)
    value_sets: list[ValueSetSpec] = field(default_factory=list)
    registers: list[RegisterSpec] = field(default_factory=list)
    digests: list[DigestSpec] = field(default_factory=list)
    types: TypeCatalog = field(default_factory=TypeCatalog)
    uses_type_info: bool = False

"""``p4edge``: the operator's command line, a thin layer over the controller's REST API.

Every command but ``serve`` and ``config`` talks HTTP to a running controller named by ``--url``
(or ``P4EDGE_URL``) with the bearer token from ``--token`` (or ``P4EDGE_TOKEN``). A failure
prints one line, ``error: ...``, and exits with status 1.
"""

from __future__ import annotations

import functools
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ParamSpec, TypeVar

import typer

from controlplane.api.client import ApiClient, ApiError
from controlplane.config import EXAMPLE_TOML, ConfigError, load_config
from controlplane.registry.errors import StoreError

if TYPE_CHECKING:  # the server's modules load only for ``serve``, keeping the client quick
    from controlplane.api.app import DataPlaneFactory

P = ParamSpec("P")
R = TypeVar("R")

DEFAULT_URL = "http://127.0.0.1:8080"


class CliError(Exception):
    """A failure to report in one line."""


@dataclass(slots=True)
class CliOptions:
    url: str
    token: str | None
    as_json: bool


def edge_dataplane_factory() -> DataPlaneFactory:
    """The data-plane factory ``serve`` gives the app: the edge programmer (controlplane/edge),
    one P4Runtime connection per configured switch, pushing ``build/<target>/<program>.*``."""
    from controlplane.edge.dataplane import edge_dataplane

    return edge_dataplane


def _options(ctx: typer.Context) -> CliOptions:
    options = ctx.find_object(CliOptions)
    if options is None:  # a sub-app invoked on its own
        options = CliOptions(DEFAULT_URL, None, False)
    return options


def _client(ctx: typer.Context) -> ApiClient:
    options = _options(ctx)
    return ApiClient(options.url, options.token)


def clean_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Report ``CliError`` and ``ApiError`` as one line and exit 1."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except (CliError, ApiError) as e:
            typer.echo(f"error: {e}", err=True)
            raise typer.Exit(1) from None

    return run


# ---- output -----------------------------------------------------------------------------------


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ",".join(str(v) for v in value) or "-"
    if isinstance(value, dict):
        return ",".join(f"{k}={v}" for k, v in value.items()) or "-"
    return str(value)


def _table(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]]) -> None:
    cells = [[h for _, h in columns]] + [[_cell(r.get(k)) for k, _ in columns] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]
    for row in cells:
        typer.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def _show(ctx: typer.Context, data: Any, columns: Sequence[tuple[str, str]] | None = None) -> None:
    """Print a record, or a listing ``{"items": [...]}`` as a table."""
    if _options(ctx).as_json:
        typer.echo(json.dumps(data, indent=2))
    elif columns is not None:
        items = data["items"] if isinstance(data, dict) else data
        _table(items, columns)
        if isinstance(data, dict) and "total" in data and data["total"] > len(items):
            start = data.get("offset", 0)
            typer.echo(f"({start + 1}-{start + len(items)} of {data['total']}; see --offset/--limit)")
    elif isinstance(data, dict):
        width = max((len(k) for k in data), default=0)
        for key, value in data.items():
            typer.echo(f"{key.ljust(width)}  {_cell(value)}")


def _ts(value: float | None) -> str:
    return "-" if value is None else time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(value))


# ---- commands ---------------------------------------------------------------------------------

app = typer.Typer(
    name="p4edge",
    help="Operate a p4edge controller: customers, devices, groups, access requests and switches.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
customer_app = typer.Typer(help="Customer VPCs and their VLAN connections.", no_args_is_help=True)
device_app = typer.Typer(help="IoT devices.", no_args_is_help=True)
group_app = typer.Typer(help="Multicast groups of devices.", no_args_is_help=True)
requests_app = typer.Typer(help="Access requests from unknown senders (lists pending ones).")
switch_app = typer.Typer(help="Edge switches.", no_args_is_help=True)
config_app = typer.Typer(help="The controller's configuration file.", no_args_is_help=True)
for sub, name in (
    (customer_app, "customer"),
    (device_app, "device"),
    (group_app, "group"),
    (requests_app, "requests"),
    (switch_app, "switch"),
    (config_app, "config"),
):
    app.add_typer(sub, name=name)


@app.callback()
def root(
    ctx: typer.Context,
    url: Annotated[str, typer.Option(envvar="P4EDGE_URL", help="The controller's REST API.")] = DEFAULT_URL,
    token: Annotated[str | None, typer.Option(envvar="P4EDGE_TOKEN", help="Bearer token.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the API's JSON.")] = False,
) -> None:
    ctx.obj = CliOptions(url, token, as_json)


@app.command()
def serve(
    config: Annotated[
        Path | None, typer.Option(help="Config file (TOML or JSON); default: built-in.")
    ] = None,
    listen: Annotated[str | None, typer.Option(help="host:port, instead of the config's.")] = None,
    log_level: Annotated[str, typer.Option(help="debug, info, warning or error.")] = "info",
) -> None:
    """Run the controller: the REST API (OpenAPI at /docs) and the edge programmer, which keeps
    every configured switch in step with the registry. SIGTERM or Ctrl-C stops it cleanly."""
    import logging
    import signal

    import uvicorn

    from controlplane.api.app import create_app
    from controlplane.edge.dataplane import check_pipelines
    from controlplane.p4rt import PipelineFileError

    try:
        cfg = load_config(config)
        host, port = cfg.listen_host, cfg.listen_port
        if listen is not None:
            host, _, port_text = listen.rpartition(":")
            if not host or not port_text.isdigit():
                raise ConfigError(f"--listen must be host:port, not {listen!r}")
            host, port = host.strip("[]"), int(port_text)
        logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        if cfg.source is None:
            logging.getLogger("p4edge").warning("no --config: using the built-in defaults and demo tokens")
        try:
            check_pipelines(cfg)
        except PipelineFileError as e:
            logging.getLogger("p4edge").error(
                "%s (run `make build`, or set [edge] build_dir): the switches keep whatever pipeline they run", e
            )
        application = create_app(cfg, dataplane_factory=edge_dataplane_factory())
    except (ConfigError, StoreError) as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(1) from None
    # uvicorn shuts down gracefully on SIGTERM/SIGINT (closing the switch connections), then raises
    # the signal again with the handlers it found: these make that an ordinary exit.
    def stopped(signum: int, _frame: object) -> None:
        raise typer.Exit(0 if signum == signal.SIGTERM else 130)

    signal.signal(signal.SIGTERM, stopped)
    signal.signal(signal.SIGINT, stopped)
    uvicorn.run(application, host=host, port=port, log_level=log_level.lower())


@config_app.command("example")
def config_example() -> None:
    """Print an example config file (the built-in defaults)."""
    typer.echo(EXAMPLE_TOML, nl=False)


@config_app.command("check")
def config_check(path: Path) -> None:
    """Check a config file and summarize it."""
    try:
        cfg = load_config(path)
    except ConfigError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(1) from None
    typer.echo(
        f"database {cfg.database}; listen {cfg.listen}; {len(cfg.tokens)} tokens; "
        f"{len(cfg.switches)} switches; rate profiles {', '.join(sorted(cfg.rate_profiles))}"
    )


# ---- customers --------------------------------------------------------------------------------

CUSTOMER_COLUMNS = [
    ("name", "NAME"),
    ("number", "ID"),
    ("vlan", "VLAN"),
    ("uplink_port", "UPLINK"),
    ("gateway_mac", "GATEWAY MAC"),
    ("prefix", "PREFIX"),
    ("anycast", "ANYCAST"),
]


@customer_app.command("add")
@clean_errors
def customer_add(
    ctx: typer.Context,
    name: str,
    vlan: Annotated[int, typer.Option(help="VLAN connection id (1..4094).")],
    uplink_port: Annotated[int, typer.Option(help="Switch port of the VLAN connection.")],
    gateway_mac: Annotated[str, typer.Option(help="MAC of the VPC gateway.")],
    prefix: Annotated[str, typer.Option(help="IPv6 prefix of the endpoints.")],
    prefix_v4: Annotated[str | None, typer.Option(help="IPv4 prefix of IPv4 endpoints.")] = None,
    anycast: Annotated[str | None, typer.Option(help="IPv6 anycast service address.")] = None,
    anycast_v4: Annotated[str | None, typer.Option(help="IPv4 anycast service address.")] = None,
    allow: Annotated[list[str] | None, typer.Option(help="Further allowed prefix (repeatable).")] = None,
) -> None:
    """Register a customer VPC."""
    body = {
        "name": name,
        "vlan": vlan,
        "uplink_port": uplink_port,
        "gateway_mac": gateway_mac,
        "prefix": prefix,
        "prefix_v4": prefix_v4,
        "anycast": anycast,
        "anycast_v4": anycast_v4,
        "allowed_prefixes": allow or [],
    }
    _show(ctx, _client(ctx).call("POST", "/v1/customers", json=body))


@customer_app.command("list")
@clean_errors
def customer_list(ctx: typer.Context) -> None:
    """List customers."""
    _show(ctx, _client(ctx).call("GET", "/v1/customers"), CUSTOMER_COLUMNS)


@customer_app.command("show")
@clean_errors
def customer_show(ctx: typer.Context, name: str) -> None:
    """Show a customer."""
    _show(ctx, _client(ctx).call("GET", f"/v1/customers/{name}"))


@customer_app.command("rm")
@clean_errors
def customer_rm(ctx: typer.Context, name: str) -> None:
    """Remove a customer (it must have no devices or groups)."""
    _client(ctx).call("DELETE", f"/v1/customers/{name}")
    typer.echo(f"removed customer {name}")


# ---- devices ----------------------------------------------------------------------------------

DEVICE_COLUMNS = [
    ("device_id", "DEVICE"),
    ("customer", "CUSTOMER"),
    ("endpoint", "ENDPOINT"),
    ("addresses", "ADDRESSES"),
    ("access_port", "PORT"),
    ("access_vlan", "VLAN"),
    ("rate_profile", "PROFILE"),
    ("groups", "GROUPS"),
]


@device_app.command("add")
@clean_errors
def device_add(
    ctx: typer.Context,
    device_id: str,
    customer: Annotated[str, typer.Option(help="The customer it belongs to.")],
    endpoint: Annotated[str, typer.Option(help="Virtual endpoint (IPv6, in the customer's prefix).")],
    address: Annotated[list[str], typer.Option(help="Access address, IPv6 or IPv4 (repeatable).")],
    port: Annotated[int, typer.Option(help="Access port.")],
    vlan: Annotated[int | None, typer.Option(help="Access VLAN; omit for untagged.")] = None,
    endpoint_v4: Annotated[str | None, typer.Option(help="IPv4 endpoint.")] = None,
    rate_profile: Annotated[str, typer.Option(help="Configured rate profile.")] = "default",
    group: Annotated[list[str] | None, typer.Option(help="Group to join (repeatable).")] = None,
) -> None:
    """Register a device."""
    body = {
        "device_id": device_id,
        "customer": customer,
        "endpoint": endpoint,
        "endpoint_v4": endpoint_v4,
        "addresses": address,
        "access_port": port,
        "access_vlan": vlan,
        "rate_profile": rate_profile,
        "groups": group or [],
    }
    _show(ctx, _client(ctx).call("POST", "/v1/devices", json=body))


@device_app.command("list")
@clean_errors
def device_list(
    ctx: typer.Context,
    customer: Annotated[str | None, typer.Option(help="Only this customer's.")] = None,
    group: Annotated[str | None, typer.Option(help="Only this group's members.")] = None,
    offset: int = 0,
    limit: int = 100,
) -> None:
    """List devices."""
    params: dict[str, str | int] = {"offset": offset, "limit": limit}
    if customer:
        params["customer"] = customer
    if group:
        params["group"] = group
    _show(ctx, _client(ctx).call("GET", "/v1/devices", params=params), DEVICE_COLUMNS)


@device_app.command("show")
@clean_errors
def device_show(ctx: typer.Context, device_id: str) -> None:
    """Show a device."""
    _show(ctx, _client(ctx).call("GET", f"/v1/devices/{device_id}"))


@device_app.command("rm")
@clean_errors
def device_rm(ctx: typer.Context, device_id: str) -> None:
    """Remove a device."""
    _client(ctx).call("DELETE", f"/v1/devices/{device_id}")
    typer.echo(f"removed device {device_id}")


@device_app.command("counters")
@clean_errors
def device_counters(ctx: typer.Context, device_id: str) -> None:
    """A device's packet and byte counters, per switch."""
    data = _client(ctx).call("GET", f"/v1/devices/{device_id}/counters")
    _show(
        ctx,
        {"items": data["switches"]},
        [
            ("switch", "SWITCH"),
            ("upstream_packets", "UP PKTS"),
            ("upstream_bytes", "UP BYTES"),
            ("downstream_packets", "DOWN PKTS"),
            ("downstream_bytes", "DOWN BYTES"),
        ],
    )


# ---- groups -----------------------------------------------------------------------------------


@group_app.command("add")
@clean_errors
def group_add(
    ctx: typer.Context,
    name: str,
    customer: Annotated[str, typer.Option(help="The customer it belongs to.")],
    address: Annotated[str, typer.Option(help="IPv6 multicast address (ff00::/8).")],
    member: Annotated[list[str] | None, typer.Option(help="Member device_id (repeatable).")] = None,
) -> None:
    """Create a group."""
    body = {"name": name, "customer": customer, "address": address, "members": member or []}
    _show(ctx, _client(ctx).call("POST", "/v1/groups", json=body))


@group_app.command("list")
@clean_errors
def group_list(ctx: typer.Context, customer: Annotated[str | None, typer.Option()] = None) -> None:
    """List groups."""
    params = {"customer": customer} if customer else {}
    columns = [
        ("name", "NAME"),
        ("customer", "CUSTOMER"),
        ("address", "ADDRESS"),
        ("member_count", "MEMBERS"),
    ]
    _show(ctx, _client(ctx).call("GET", "/v1/groups", params=params), columns)


@group_app.command("show")
@clean_errors
def group_show(ctx: typer.Context, name: str) -> None:
    """Show a group and its members."""
    _show(ctx, _client(ctx).call("GET", f"/v1/groups/{name}"))


@group_app.command("rm")
@clean_errors
def group_rm(ctx: typer.Context, name: str) -> None:
    """Remove a group."""
    _client(ctx).call("DELETE", f"/v1/groups/{name}")
    typer.echo(f"removed group {name}")


@group_app.command("join")
@clean_errors
def group_join(ctx: typer.Context, name: str, device_ids: list[str]) -> None:
    """Add devices to a group."""
    _show(ctx, _client(ctx).call("POST", f"/v1/groups/{name}/members", json={"members": device_ids}))


@group_app.command("leave")
@clean_errors
def group_leave(ctx: typer.Context, name: str, device_id: str) -> None:
    """Take a device out of a group."""
    _show(ctx, _client(ctx).call("DELETE", f"/v1/groups/{name}/members/{device_id}"))


@group_app.command("send")
@clean_errors
def group_send(
    ctx: typer.Context,
    name: str,
    payload: str,
    encoding: Annotated[str, typer.Option(help="utf-8, hex or base64.")] = "utf-8",
) -> None:
    """Send an instruction to every member of a group."""
    body = {"payload": payload, "encoding": encoding}
    _show(ctx, _client(ctx).call("POST", f"/v1/groups/{name}/instructions", json=body))


# ---- access requests --------------------------------------------------------------------------

REQUEST_COLUMNS = [
    ("id", "ID"),
    ("port", "PORT"),
    ("vlan", "VLAN"),
    ("src_mac", "MAC"),
    ("src_addr", "ADDRESS"),
    ("count", "COUNT"),
    ("first", "FIRST SEEN"),
    ("last", "LAST SEEN"),
    ("status", "STATUS"),
]


def _list_requests(ctx: typer.Context, status: str) -> None:
    data = _client(ctx).call("GET", "/v1/requests", params={"status": status})
    if not _options(ctx).as_json:
        for item in data["items"]:
            item["first"], item["last"] = _ts(item["first_seen"]), _ts(item["last_seen"])
    _show(ctx, data, REQUEST_COLUMNS)


@requests_app.callback(invoke_without_command=True)
@clean_errors
def requests_root(ctx: typer.Context) -> None:
    """Access requests; without a command, list the pending ones."""
    if ctx.invoked_subcommand is None:
        _list_requests(ctx, "pending")


@requests_app.command("list")
@clean_errors
def requests_list(
    ctx: typer.Context,
    status: Annotated[str, typer.Option(help="pending, approved, denied or all.")] = "pending",
) -> None:
    """List access requests."""
    _list_requests(ctx, status)


@requests_app.command("approve")
@clean_errors
def requests_approve(
    ctx: typer.Context,
    request_id: int,
    device_id: Annotated[str, typer.Option(help="The new device's id.")],
    customer: Annotated[str, typer.Option()],
    endpoint: Annotated[str, typer.Option(help="Virtual endpoint (IPv6).")],
    address: Annotated[list[str] | None, typer.Option(help="Access address; default: the sender's.")] = None,
    port: Annotated[int | None, typer.Option(help="Access port; default: the request's.")] = None,
    endpoint_v4: Annotated[str | None, typer.Option()] = None,
    rate_profile: Annotated[str, typer.Option()] = "default",
    group: Annotated[list[str] | None, typer.Option(help="Group to join (repeatable).")] = None,
) -> None:
    """Approve a request: register its sender as a device (VLAN: the request's)."""
    body: dict[str, Any] = {
        "device_id": device_id,
        "customer": customer,
        "endpoint": endpoint,
        "endpoint_v4": endpoint_v4,
        "rate_profile": rate_profile,
        "groups": group or [],
    }
    if address:
        body["addresses"] = address
    if port is not None:
        body["access_port"] = port
    data = _client(ctx).call("POST", f"/v1/requests/{request_id}/approve", json=body)
    _show(ctx, data if _options(ctx).as_json else data["device"])


@requests_app.command("deny")
@clean_errors
def requests_deny(ctx: typer.Context, request_id: int) -> None:
    """Deny a request: it is kept on record and no longer listed."""
    _client(ctx).call("POST", f"/v1/requests/{request_id}/deny")
    typer.echo(f"denied access request {request_id}")


# ---- switches ---------------------------------------------------------------------------------


@switch_app.command("status")
@clean_errors
def switch_status(ctx: typer.Context) -> None:
    """Connection, role and entries of each edge switch."""
    columns = [
        ("name", "NAME"),
        ("grpc_addr", "ADDRESS"),
        ("device_id", "DEVICE ID"),
        ("connected", "CONNECTED"),
        ("primary", "PRIMARY"),
        ("pipeline", "PIPELINE"),
        ("entry_counts", "ENTRIES"),
        ("error", "ERROR"),
    ]
    _show(ctx, _client(ctx).call("GET", "/v1/switches"), columns)


# ---- bulk import ------------------------------------------------------------------------------


@app.command("import")
@clean_errors
def import_devices(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="devices.csv or devices.json")],
    format: Annotated[str | None, typer.Option(help="csv or json; default: from the file name.")] = None,
    on_error: Annotated[str, typer.Option(help="skip bad rows, or stop at the first.")] = "skip",
    wait: Annotated[bool, typer.Option(help="Follow the job to its end.")] = True,
) -> None:
    """Import devices in bulk, with a progress bar. Exit status 1 if any row failed."""
    fmt = format or ("json" if file.suffix.lower() == ".json" else "csv")
    if fmt not in ("csv", "json"):
        raise CliError(f"--format must be csv or json, not {fmt!r}")
    try:
        data = file.read_bytes()
    except OSError as e:
        raise CliError(f"cannot read {file}: {e.strerror or e}") from e
    client = _client(ctx)
    content_type = "text/csv" if fmt == "csv" else "application/json"
    job = client.call(
        "POST",
        "/v1/imports",
        content=data,
        params={"format": fmt, "on_error": on_error},
        headers={"Content-Type": content_type},
        timeout=600.0,
    )
    if not wait:
        _show(ctx, job)
        return
    with typer.progressbar(length=job["total"], label=f"importing {file.name}", file=sys.stderr) as bar:
        shown = 0
        while job["status"] in ("queued", "running"):
            time.sleep(0.2)
            job = client.call("GET", f"/v1/imports/{job['id']}")
            bar.update(job["done"] - shown)
            shown = job["done"]
    if _options(ctx).as_json:
        _show(ctx, job)
    else:
        typer.echo(f"{job['status']}: {job['stored']} stored, {job['failed']} failed of {job['total']}")
        for error in job["errors"][:20]:
            where = f"row {error['row']}" + (f" (line {error['line']})" if error["line"] else "")
            typer.echo(f"  {where}: {error['field'] + ': ' if error['field'] else ''}{error['message']}")
        if job["failed"] > 20:
            typer.echo(f"  ... {job['failed'] - 20} more rows failed (see --json)")
        if job.get("message"):
            typer.echo(job["message"])
    if job["failed"] or job["status"] != "done":
        raise typer.Exit(1)


@app.command()
@clean_errors
def summary(ctx: typer.Context) -> None:
    """Counts of customers, devices, groups and pending requests."""
    _show(ctx, _client(ctx).call("GET", "/v1/summary"))


def main() -> None:
    app(prog_name="p4edge")


if __name__ == "__main__":
    main()

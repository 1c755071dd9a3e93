"""The P4Runtime gRPC service of softswitch, behaving like simple_switch_grpc (PI).

:class:`P4RuntimeService` holds the request-level logic without touching gRPC; the servicer
functions below adapt it to a ``grpc.server`` (the only place this package imports ``grpc``,
which has no type information). Read answers are serialized by hand and split into several
ReadResponse messages of at most :data:`READ_CHUNK_BYTES` each, so that any client's default
4 MB receive limit is respected; the server itself accepts messages up to 256 MB, like PI.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from concurrent import futures
from typing import Any

import grpc
from finsy.proto import p4r, rpc_code

from softswitch.engine.entity_errors import EntityError
from softswitch.p4runtime.arbitration import Connection, StreamClose
from softswitch.p4runtime.device import Device
from softswitch.p4runtime.errors import (
    SUCCESS,
    BatchFailed,
    RequestError,
    UpdateResult,
    batch_status,
    rpc_code_of,
)
from softswitch.p4runtime.pipeline_config import PipelineLoader, get_pipeline_config, set_pipeline_config
from softswitch.p4runtime.read import read_entities
from softswitch.p4runtime.stream import read_stream
from softswitch.p4runtime.wire import read_response_chunks

__all__ = ["P4RUNTIME_API_VERSION", "READ_CHUNK_BYTES", "GrpcServer", "P4RuntimeService", "serve", "start_server"]

log = logging.getLogger("softswitch.p4runtime")

P4RUNTIME_API_VERSION = "1.3.0"
#: Largest ReadResponse sent (a single larger entity still goes out alone).
READ_CHUNK_BYTES = 1 << 20
MAX_MESSAGE_BYTES = 256 * 1024 * 1024
DEFAULT_WORKERS = 64


class P4RuntimeService:
    """P4Runtime requests against one :class:`Device`; failures raise RequestError/BatchFailed."""

    def __init__(self, device: Device, loader: PipelineLoader) -> None:
        self.device = device
        self.loader = loader

    def _check_device(self, device_id: int) -> None:
        if device_id != self.device.device_id:
            raise RequestError(rpc_code.NOT_FOUND, f"Unknown device id {device_id} (this switch is {self.device.device_id})")

    def capabilities(self, request: p4r.CapabilitiesRequest) -> p4r.CapabilitiesResponse:
        return p4r.CapabilitiesResponse(p4runtime_api_version=P4RUNTIME_API_VERSION)

    def write(self, request: p4r.WriteRequest) -> None:
        self._check_device(request.device_id)
        device = self.device
        device.arbiter.check_writer(request)
        if device.control is None:
            raise RequestError(rpc_code.FAILED_PRECONDITION, "No forwarding pipeline config set for this device")
        if request.atomicity != p4r.WriteRequest.CONTINUE_ON_ERROR:
            raise RequestError(rpc_code.UNIMPLEMENTED, "Support for atomic write modes has not been implemented yet")
        results: list[UpdateResult] = []
        append = results.append
        failed = False
        with device.engine_lock:
            active = device.control
            if active is None:
                raise RequestError(rpc_code.FAILED_PRECONDITION, "No forwarding pipeline config set for this device")
            apply = active.binding.apply
            for update in request.updates:
                try:
                    apply(update)
                except EntityError as err:
                    append(UpdateResult(rpc_code_of(err.code), err.message))
                    failed = True
                    continue
                except Exception as err:  # an internal bug: report it on this update, keep going
                    log.exception("%s: update failed unexpectedly", device.name)
                    append(UpdateResult(rpc_code.INTERNAL, f"internal error: {err!r}"))
                    failed = True
                    continue
                append(SUCCESS)
        if failed:
            status = batch_status(results)
            assert status is not None
            raise status

    def read(self, request: p4r.ReadRequest) -> list[bytes]:
        """Serialized ReadResponse messages."""
        self._check_device(request.device_id)
        device = self.device
        with device.engine_lock:
            active = device.control
            if active is None:
                raise RequestError(rpc_code.FAILED_PRECONDITION, "No forwarding pipeline config set for this device")
            try:
                entities = read_entities(active.binding, request)
            except EntityError as err:
                raise RequestError.of(err.code, err.message) from None
        return read_response_chunks(entities, READ_CHUNK_BYTES)

    def set_pipeline(self, request: p4r.SetForwardingPipelineConfigRequest) -> None:
        self._check_device(request.device_id)
        self.device.arbiter.check_writer(request)
        set_pipeline_config(self.device, request, self.loader)

    def get_pipeline(self, request: p4r.GetForwardingPipelineConfigRequest) -> p4r.GetForwardingPipelineConfigResponse:
        self._check_device(request.device_id)
        return get_pipeline_config(self.device, request)

    def open_stream(self, requests: Iterator[p4r.StreamMessageRequest]) -> Connection:
        """Start reading a new stream; the caller writes what appears on the connection's outbox."""
        conn = Connection(self.device.device_id)
        reader = threading.Thread(
            target=read_stream, args=(self.device, conn, requests), name=f"stream-{conn.conn_id}", daemon=True
        )
        reader.start()
        return conn


# ------------------------------------------------------------------------------ gRPC glue


class Malformed:
    """Stands for a request that does not parse (so gRPC logs no traceback for it)."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


def _parser(cls: Any) -> Callable[[bytes], Any]:
    name = cls.DESCRIPTOR.full_name

    def parse(data: bytes) -> Any:
        try:
            return cls.FromString(data)
        except Exception as err:
            return Malformed(f"malformed request: cannot parse {name}: {err}")

    return parse


_GRPC_CODES: dict[int, Any] = {code.value[0]: code for code in grpc.StatusCode}


def _grpc_code(code: int) -> Any:
    return _GRPC_CODES.get(code, grpc.StatusCode.UNKNOWN)


def _fail(context: Any, err: RequestError | BatchFailed) -> None:
    context.set_code(_grpc_code(err.code))
    context.set_details(err.message)
    if isinstance(err, BatchFailed):
        context.set_trailing_metadata((("grpc-status-details-bin", err.details_bin()),))


def _unary(fn: Callable[[Any], Any], empty: Callable[[], Any]) -> Callable[[Any, Any], Any]:
    def handler(request: Any, context: Any) -> Any:
        if isinstance(request, Malformed):
            context.set_code(grpc.StatusCode.INVALID_ARGUMENT)
            context.set_details(request.message)
            return empty()
        try:
            response = fn(request)
        except (RequestError, BatchFailed) as err:
            _fail(context, err)
            return empty()
        except Exception as err:
            log.exception("P4Runtime request failed unexpectedly")
            context.set_code(grpc.StatusCode.INTERNAL)
            context.set_details(f"internal error: {err!r}")
            return empty()
        return empty() if response is None else response

    return handler


def _identity(data: bytes) -> bytes:
    return data


class GrpcServer:
    """A running gRPC server; :attr:`port` is the port bound (useful with port 0)."""

    def __init__(self, server: Any, port: int) -> None:
        self._server = server
        self.port = port

    def stop(self, grace: float | None = 1.0) -> None:
        self._server.stop(grace).wait()

    def wait(self, timeout: float | None = None) -> bool:
        return bool(self._server.wait_for_termination(timeout))


def start_server(service: P4RuntimeService, address: str, *, max_workers: int = DEFAULT_WORKERS) -> GrpcServer:
    """Serve ``service`` on ``address`` (``HOST:PORT``); raises OSError when it cannot bind."""

    def read_handler(request: p4r.ReadRequest, context: Any) -> Iterator[bytes]:
        if isinstance(request, Malformed):
            context.set_code(grpc.StatusCode.INVALID_ARGUMENT)
            context.set_details(request.message)
            return
        try:
            chunks = service.read(request)
        except RequestError as err:
            _fail(context, err)
            return
        except Exception as err:
            log.exception("P4Runtime Read failed unexpectedly")
            context.set_code(grpc.StatusCode.INTERNAL)
            context.set_details(f"internal error: {err!r}")
            return
        yield from chunks

    def stream_handler(requests: Iterator[p4r.StreamMessageRequest], context: Any) -> Iterator[p4r.StreamMessageResponse]:
        conn = service.open_stream(requests)
        context.add_callback(conn.close)
        try:
            while True:
                item = conn.outbox.get()
                if isinstance(item, StreamClose):
                    if item.code != rpc_code.OK:
                        context.set_code(_grpc_code(item.code))
                        context.set_details(item.message)
                    return
                yield item
        finally:
            service.device.arbiter.remove(conn)

    handlers = {
        "Write": grpc.unary_unary_rpc_method_handler(
            _unary(service.write, p4r.WriteResponse),
            request_deserializer=_parser(p4r.WriteRequest),
            response_serializer=p4r.WriteResponse.SerializeToString,
        ),
        "Read": grpc.unary_stream_rpc_method_handler(
            read_handler,
            request_deserializer=_parser(p4r.ReadRequest),
            response_serializer=_identity,
        ),
        "SetForwardingPipelineConfig": grpc.unary_unary_rpc_method_handler(
            _unary(service.set_pipeline, p4r.SetForwardingPipelineConfigResponse),
            request_deserializer=_parser(p4r.SetForwardingPipelineConfigRequest),
            response_serializer=p4r.SetForwardingPipelineConfigResponse.SerializeToString,
        ),
        "GetForwardingPipelineConfig": grpc.unary_unary_rpc_method_handler(
            _unary(service.get_pipeline, p4r.GetForwardingPipelineConfigResponse),
            request_deserializer=_parser(p4r.GetForwardingPipelineConfigRequest),
            response_serializer=p4r.GetForwardingPipelineConfigResponse.SerializeToString,
        ),
        "StreamChannel": grpc.stream_stream_rpc_method_handler(
            stream_handler,
            request_deserializer=_parser(p4r.StreamMessageRequest),
            response_serializer=p4r.StreamMessageResponse.SerializeToString,
        ),
        "Capabilities": grpc.unary_unary_rpc_method_handler(
            _unary(service.capabilities, p4r.CapabilitiesResponse),
            request_deserializer=_parser(p4r.CapabilitiesRequest),
            response_serializer=p4r.CapabilitiesResponse.SerializeToString,
        ),
    }
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="p4rt"),
        handlers=[grpc.method_handlers_generic_handler("p4.v1.P4Runtime", handlers)],
        options=[
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
            ("grpc.so_reuseport", 0),
        ],
    )
    port = server.add_insecure_port(address)
    if port == 0:
        raise OSError(f"cannot listen on {address} for gRPC")
    server.start()
    return GrpcServer(server, port)


def serve(device: Device, address: str = "0.0.0.0:9559", loader: PipelineLoader | None = None) -> GrpcServer:
    """Serve P4Runtime for ``device`` on ``address``; ``loader`` defaults to softswitch's own
    device-config loader. Start ``device.start_timers()`` too for digests and idle timeouts."""
    if loader is None:
        from softswitch.p4runtime.program_loading import load_device_config

        loader = load_device_config
    return start_server(P4RuntimeService(device, loader), address)

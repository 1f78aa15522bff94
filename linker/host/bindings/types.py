"""The types of world `witlink:host/extension@0.1.0`."""

from __future__ import annotations

import enum
from typing import Any, ClassVar, TypeAlias

import attrs
from bindgen import runtime as _rt
from wasmtime import component as _wc


class Level(enum.Enum):
    """Severity of a log message."""

    TRACE = "trace"
    DEBUG = "debug"
    INFO = "info"
    WARN = "warn"
    ERROR = "error"


@attrs.frozen
class CallErrorDenied:
    """Case `denied` of `CallError`."""

    CASE: ClassVar[str] = "denied"
    value: str


@attrs.frozen
class CallErrorRateLimited:
    """Case `rate-limited` of `CallError`."""

    CASE: ClassVar[str] = "rate-limited"
    value: int


@attrs.frozen
class CallErrorNotFound:
    """Case `not-found` of `CallError`."""

    CASE: ClassVar[str] = "not-found"
    value: str


@attrs.frozen
class CallErrorInvalid:
    """Case `invalid` of `CallError`."""

    CASE: ClassVar[str] = "invalid"
    value: str


@attrs.frozen
class CallErrorFailed:
    """Case `failed` of `CallError`."""

    CASE: ClassVar[str] = "failed"
    value: str


CallError: TypeAlias = (
    CallErrorDenied | CallErrorRateLimited | CallErrorNotFound | CallErrorInvalid | CallErrorFailed
)
"""Why a host operation was refused or failed."""


@attrs.frozen
class Header:
    name: str
    value: str


@attrs.frozen
class Request:
    method: str
    url: str
    headers: list[Header]
    body: bytes | None


@attrs.frozen
class Response:
    status: int
    headers: list[Header]
    body: bytes


@attrs.frozen
class HttpErrorDenied:
    """Case `denied` of `HttpError`."""

    CASE: ClassVar[str] = "denied"
    value: str


@attrs.frozen
class HttpErrorTimeout:
    """Case `timeout` of `HttpError`."""

    CASE: ClassVar[str] = "timeout"


@attrs.frozen
class HttpErrorTooLarge:
    """Case `too-large` of `HttpError`."""

    CASE: ClassVar[str] = "too-large"
    value: int


@attrs.frozen
class HttpErrorFailed:
    """Case `failed` of `HttpError`."""

    CASE: ClassVar[str] = "failed"
    value: str


HttpError: TypeAlias = HttpErrorDenied | HttpErrorTimeout | HttpErrorTooLarge | HttpErrorFailed


def _lower_level(v: object) -> Any:
    if not isinstance(v, Level):
        _rt.mismatch("level (Level)", v)
    return v.value


def _lift_level(v: Any) -> Level:
    return Level(v)


def _lower_callerror(v: object) -> Any:
    try:
        if isinstance(v, CallErrorDenied):
            return _wc.Variant("denied", _rt.check_string(v.value))
        if isinstance(v, CallErrorRateLimited):
            return _wc.Variant("rate-limited", _rt.check_u32(v.value))
        if isinstance(v, CallErrorNotFound):
            return _wc.Variant("not-found", _rt.check_string(v.value))
        if isinstance(v, CallErrorInvalid):
            return _wc.Variant("invalid", _rt.check_string(v.value))
        if isinstance(v, CallErrorFailed):
            return _wc.Variant("failed", _rt.check_string(v.value))
    except _rt.Mismatch as err:
        raise _rt.at(err, ".value") from None
    _rt.mismatch("call-error (CallError)", v)


def _lift_callerror(v: Any) -> CallError:
    tag = v.tag
    payload = v.payload
    if tag == "denied":
        return CallErrorDenied(payload)
    if tag == "rate-limited":
        return CallErrorRateLimited(payload)
    if tag == "not-found":
        return CallErrorNotFound(payload)
    if tag == "invalid":
        return CallErrorInvalid(payload)
    return CallErrorFailed(payload)


def _lower_t4(v: object) -> Any:
    if v is None:
        return None
    return _rt.check_string(v)


def _lower_t5(v: object) -> Any:
    try:
        if isinstance(v, _rt.Ok):
            return _rt.check_string(v.value)
        if isinstance(v, _rt.Err):
            return _lower_callerror(v.value)
    except _rt.Mismatch as err:
        raise _rt.at(err, ".value") from None
    _rt.mismatch("result<string, call-error> (Ok(...) or Err(...))", v)


def _lift_t5(v: Any) -> _rt.Ok[str] | _rt.Err[CallError]:
    if type(v) is str:
        return _rt.Ok(v)
    return _rt.Err(_lift_callerror(v))


def _lower_header(v: object) -> Any:
    if not isinstance(v, Header):
        _rt.mismatch("header (Header)", v)
    r = _wc.Record()
    d = r.__dict__
    try:
        where = ".name"
        d["name"] = _rt.check_string(v.name)
        where = ".value"
        d["value"] = _rt.check_string(v.value)
    except _rt.Mismatch as err:
        raise _rt.at(err, where) from None
    return r


def _lift_header(v: Any) -> Header:
    d = v.__dict__
    return Header(d["name"], d["value"])


def _lower_t9(v: object) -> Any:
    if v is None:
        return None
    return _rt.check_bytes(v)


def _lower_request(v: object) -> Any:
    if not isinstance(v, Request):
        _rt.mismatch("request (Request)", v)
    r = _wc.Record()
    d = r.__dict__
    try:
        where = ".method"
        d["method"] = _rt.check_string(v.method)
        where = ".url"
        d["url"] = _rt.check_string(v.url)
        where = ".headers"
        d["headers"] = _rt.lower_list(v.headers, _lower_header, "list<header>")
        where = ".body"
        d["body"] = _lower_t9(v.body)
    except _rt.Mismatch as err:
        raise _rt.at(err, where) from None
    return r


def _lift_request(v: Any) -> Request:
    d = v.__dict__
    return Request(d["method"], d["url"], [_lift_header(x0) for x0 in d["headers"]], d["body"])


def _lower_response(v: object) -> Any:
    if not isinstance(v, Response):
        _rt.mismatch("response (Response)", v)
    r = _wc.Record()
    d = r.__dict__
    try:
        where = ".status"
        d["status"] = _rt.check_u16(v.status)
        where = ".headers"
        d["headers"] = _rt.lower_list(v.headers, _lower_header, "list<header>")
        where = ".body"
        d["body"] = _rt.check_bytes(v.body)
    except _rt.Mismatch as err:
        raise _rt.at(err, where) from None
    return r


def _lift_response(v: Any) -> Response:
    d = v.__dict__
    return Response(d["status"], [_lift_header(x0) for x0 in d["headers"]], d["body"])


def _lower_httperror(v: object) -> Any:
    try:
        if isinstance(v, HttpErrorDenied):
            return _wc.Variant("denied", _rt.check_string(v.value))
        if isinstance(v, HttpErrorTimeout):
            return _wc.Variant("timeout")
        if isinstance(v, HttpErrorTooLarge):
            return _wc.Variant("too-large", _rt.check_u64(v.value))
        if isinstance(v, HttpErrorFailed):
            return _wc.Variant("failed", _rt.check_string(v.value))
    except _rt.Mismatch as err:
        raise _rt.at(err, ".value") from None
    _rt.mismatch("http-error (HttpError)", v)


def _lift_httperror(v: Any) -> HttpError:
    tag = v.tag
    payload = v.payload
    if tag == "denied":
        return HttpErrorDenied(payload)
    if tag == "timeout":
        return HttpErrorTimeout()
    if tag == "too-large":
        return HttpErrorTooLarge(payload)
    return HttpErrorFailed(payload)


def _lower_t13(v: object) -> Any:
    try:
        if isinstance(v, _rt.Ok):
            return _lower_response(v.value)
        if isinstance(v, _rt.Err):
            return _lower_httperror(v.value)
    except _rt.Mismatch as err:
        raise _rt.at(err, ".value") from None
    _rt.mismatch("result<response, http-error> (Ok(...) or Err(...))", v)


def _lift_t13(v: Any) -> _rt.Ok[Response] | _rt.Err[HttpError]:
    if type(v) is _wc.Record:
        return _rt.Ok(_lift_response(v))
    return _rt.Err(_lift_httperror(v))


def _lower_t14(v: object) -> Any:
    try:
        if isinstance(v, _rt.Ok):
            return None
        if isinstance(v, _rt.Err):
            return _rt.check_string(v.value)
    except _rt.Mismatch as err:
        raise _rt.at(err, ".value") from None
    _rt.mismatch("result<_, string> (Ok(...) or Err(...))", v)


def _lift_t14(v: Any) -> _rt.Ok[None] | _rt.Err[str]:
    if v is None:
        return _rt.Ok(None)
    return _rt.Err(v)


def _lower_t15(v: object) -> Any:
    try:
        if isinstance(v, _rt.Ok):
            return _wc.Variant("ok", _lower_t4(v.value))
        if isinstance(v, _rt.Err):
            return _wc.Variant("err", _rt.check_string(v.value))
    except _rt.Mismatch as err:
        raise _rt.at(err, ".value") from None
    _rt.mismatch("result<option<string>, string> (Ok(...) or Err(...))", v)


def _lift_t15(v: Any) -> _rt.Ok[str | None] | _rt.Err[str]:
    tag = v.tag
    payload = v.payload
    if tag == "ok":
        return _rt.Ok(payload)
    return _rt.Err(payload)

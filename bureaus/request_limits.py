"""How much one request may carry: bodies larger than ``UPLOAD_MAX_REQUEST_MB`` are refused before
they are read, with a page saying so (HTTP 413), instead of being streamed to disk first.

The reverse proxy in docker-compose.yml refuses the same bodies even earlier (its
``client_max_body_size`` is the same setting); this is the limit for any other way of serving the
portal, and the upload handler stops a body that turns out longer than announced.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

MB = 1024 * 1024


def max_request_mb() -> int:
    return int(getattr(settings, "UPLOAD_MAX_REQUEST_MB", 100))


def too_large(request: HttpRequest) -> HttpResponse:
    return render(request, "413.html", {"max_mb": max_request_mb()}, status=413)


class RequestSizeLimitMiddleware:
    """Refuse a request whose announced body is over the limit, or whose length is not announced
    at all (a chunked upload), before anything reads it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _announced_too_large(request.META):
            return too_large(request)
        response = self.get_response(request)
        if getattr(request, "upload_too_large", False):
            return too_large(request)
        return response


def _announced_too_large(meta) -> bool:
    length = meta.get("CONTENT_LENGTH") or ""
    chunked = "chunked" in meta.get("HTTP_TRANSFER_ENCODING", "").lower()
    if not length.strip():
        return chunked
    try:
        return int(length) > max_request_mb() * MB
    except ValueError:
        return True


class RequestTotalUploadHandler(FileUploadHandler):
    """First of the upload handlers: counts the file data of the whole request and stops reading
    it once it passes the limit. The request fails as a whole (the view never sees part of it);
    the middleware turns that into the 413 page."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.received = 0
        self.limit = max_request_mb() * MB
        self.files_read = []

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self._remember_files()  # the other handlers still hold the previous file

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            # Delete the temporary files of this request now, not when they are collected.
            self._remember_files()
            for file in self.files_read:
                file.close()
            if self.request is not None:
                self.request.upload_too_large = True
            raise RequestDataTooBig("The uploaded files exceed UPLOAD_MAX_REQUEST_MB.")
        return raw_data

    def _remember_files(self) -> None:
        for handler in getattr(self.request, "upload_handlers", ()):
            file = getattr(handler, "file", None)
            if handler is not self and file is not None and file not in self.files_read:
                self.files_read.append(file)

    def file_complete(self, file_size):
        return None

"""Serving an attachment: always as a download with a neutral type, never rendered inline,
so an uploaded file can never run as a page of ours."""

from django.http import FileResponse

from postsale.tickets.models import Attachment


def attachment_response(attachment: Attachment) -> FileResponse:
    response = FileResponse(attachment.file.open("rb"), as_attachment=True,
                            filename=attachment.name,
                            content_type="application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response

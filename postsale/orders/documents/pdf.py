"""HTML → PDF with weasyprint. Documents are self-contained (inline SVG, inline CSS):
the renderer may fetch nothing, so a name in an order can never make the server load a
URL."""

from django.template.loader import render_to_string
from django.utils import timezone, translation

PDF_CONTENT_TYPE = "application/pdf"


def render_html(template: str, context: dict, *, language: str, time_zone: str) -> str:
    with translation.override(language), timezone.override(time_zone):
        return render_to_string(template, context)


def render_pdf(template: str, context: dict, *, language: str, time_zone: str) -> bytes:
    # Imported here: weasyprint takes seconds to import, and most processes (the worker,
    # console commands, most requests) never render a PDF.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_html(template, context, language=language, time_zone=time_zone)
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf()

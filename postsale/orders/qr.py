import io

import segno


def qr_png(data: str, *, scale: int = 6) -> bytes:
    buffer = io.BytesIO()
    segno.make(data, error="m").save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()


def qr_svg(data: str, *, title: str = "") -> str:
    """An SVG with a viewBox and no fixed size: the page or document's CSS sizes it. With
    `title`, it is an image of that name for screen readers."""
    buffer = io.BytesIO()
    segno.make(data, error="m").save(buffer, kind="svg", border=2, omitsize=True,
                                     xmldecl=False, svgns=True, title=title or None)
    svg = buffer.getvalue().decode()
    return svg.replace("<svg ", '<svg role="img" ', 1) if title else svg

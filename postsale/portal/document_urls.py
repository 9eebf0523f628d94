"""The customer's documents, in the "portal" namespace (included from portal/urls.py)."""

from django.urls import path

from postsale.portal import documents

urlpatterns = [
    # A time-limited link to a digital product's file (postsale.orders.downloads).
    path("dl/<str:token>/", documents.download_view, name="download"),
    path("<str:token>/entries.pdf", documents.entries_pdf_view, name="entries_pdf"),
    path("<str:token>/entries/<str:number>.pdf", documents.entry_pdf_view, name="entry_pdf"),
    path("<str:token>/entries/<str:number>.pkpass", documents.entry_pass_view,
         name="entry_pass"),
    path("<str:token>/invoices/<str:number>.pdf", documents.invoice_pdf_view,
         name="invoice_pdf"),
    path("<str:token>/downloads/<int:line_id>/", documents.download_link_view,
         name="download_link"),
]

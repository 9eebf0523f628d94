"""An order's documents for agents, in the "backoffice" namespace (included from
backoffice/urls.py)."""

from django.urls import path

from postsale.backoffice import documents

urlpatterns = [
    path("orders/<str:number>/entries.pdf", documents.order_entries_pdf,
         name="order_entries_pdf"),
    path("orders/<str:number>/entries/<str:entry>.pdf", documents.entry_pdf,
         name="entry_pdf"),
    path("orders/<str:number>/invoices/<str:invoice>.pdf", documents.order_invoice_pdf,
         name="invoice_pdf"),
]

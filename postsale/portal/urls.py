from django.urls import path

from postsale.portal import contact, documents, find, ratings, thanks, tickets, troubleshoot, views

app_name = "portal"

# E-mails link to "order" and "ticket" (postsale.orders.links): keep their names and
# arguments.
urlpatterns = [
    path("find/", find.find_order, name="find"),
    path("thanks/<str:token>/", thanks.thank_you, name="thank_you"),
    path("thanks/<str:token>/status/", thanks.thank_you_status, name="thank_you_status"),
    path("<str:token>/email/", contact.email_change, name="email_change"),
    path("<str:token>/receipt/", contact.receipt_resend, name="receipt_resend"),
    path("<str:token>/tickets/<str:number>/rating/", ratings.ticket_rating,
         name="ticket_rating"),
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
    path("<str:token>/", views.order_page, name="order"),
    path("<str:token>/new-ticket/", views.type_fields, name="type_fields"),
    path("<str:token>/refund-check/", views.refund_check, name="refund_check"),
    path("<str:token>/help/", troubleshoot.troubleshoot, name="troubleshoot"),
    path("<str:token>/help/<int:pk>/", troubleshoot.troubleshoot_answer,
         name="troubleshoot_answer"),
    path("<str:token>/tickets/<str:number>/", tickets.ticket_page, name="ticket"),
    path("<str:token>/tickets/<str:number>/reply/", tickets.ticket_reply_view,
         name="ticket_reply"),
    path("<str:token>/tickets/<str:number>/close/", tickets.ticket_close_view,
         name="ticket_close"),
    path("<str:token>/tickets/<str:number>/refund/", tickets.ticket_change_view,
         name="ticket_change"),
    path("<str:token>/tickets/<str:number>/attachments/<int:attachment_id>/",
         tickets.ticket_attachment, name="ticket_attachment"),
]

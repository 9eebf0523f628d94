from django.urls import include, path

from postsale.portal import tickets, troubleshoot, views

app_name = "portal"

# E-mails link to "order" and "ticket" (postsale.orders.links): keep their names and
# arguments.
urlpatterns = [
    path("", include("postsale.portal.document_urls")),  # entries, invoices, downloads
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

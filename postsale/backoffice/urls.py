from django.contrib.auth import views as auth_views
from django.urls import include, path

from postsale.backoffice import (
    customers,
    exchanges,
    flags,
    operator,
    order_actions,
    refunds,
    ticket_actions,
    tickets,
    views,
)
from postsale.backoffice.settings import urls as settings_urls
from postsale.backoffice.settings.members import PasswordSetView

app_name = "backoffice"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="backoffice/login.html",
                                                redirect_authenticated_user=True),
         name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/<uidb64>/<token>/", PasswordSetView.as_view(), name="password_set"),
    path("orders/", views.order_list, name="orders"),
    path("", include("postsale.backoffice.document_urls")),  # entries and invoice PDFs
    path("orders/<str:number>/", views.order_detail, name="order"),
    path("orders/<str:number>/refund/", refunds.order_refund, name="order_refund"),
    path("orders/<str:number>/refunds/<str:refund>/retry/", refunds.order_refund_retry,
         name="refund_retry"),
    path("orders/<str:number>/entries/<str:entry>/exchange/", exchanges.entry_exchange,
         name="entry_exchange"),
    path("orders/<str:number>/payments/<int:payment>/refund/", flags.payment_refund_view,
         name="payment_refund"),
    path("orders/<str:number>/alerts/<int:flag>/resolve/", flags.flag_resolve_view,
         name="flag_resolve"),
    path("orders/<str:number>/tickets/new/", ticket_actions.order_ticket_open,
         name="order_ticket_open"),
    path("orders/<str:number>/cancel/", order_actions.order_cancel_view, name="order_cancel"),
    path("customers/<int:customer>/", customers.customer_view, name="customer"),
    path("tickets/", tickets.ticket_list, name="tickets"),
    path("tickets/<str:number>/", tickets.ticket_detail, name="ticket"),
    path("tickets/<str:number>/reply/", ticket_actions.ticket_reply_view, name="ticket_reply"),
    path("tickets/<str:number>/type/", ticket_actions.ticket_type_view, name="ticket_type"),
    path("tickets/<str:number>/close/", ticket_actions.ticket_close_view, name="ticket_close"),
    path("tickets/<str:number>/return/", ticket_actions.ticket_return_view,
         name="ticket_return"),
    path("tickets/<str:number>/attachments/<int:attachment>/", tickets.ticket_attachment,
         name="ticket_attachment"),
    path("operator/review/", operator.review_page, name="review"),
    path("operator/review/<str:number>/", operator.review_done, name="review_done"),
    path("operator/tickets/<str:number>/", operator.operator_ticket, name="operator_ticket"),
    path("operator/sellers/", operator.seller_flags, name="operator_sellers"),
    path("operator/sellers/<slug:slug>/abuse/", operator.seller_flag,
         name="seller_abuse_flag"),
    path("seller/", views.seller_switch, name="seller_switch"),
    path("settings/", include(settings_urls.urlpatterns)),
]

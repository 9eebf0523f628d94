from django.contrib.auth import views as auth_views
from django.urls import path

from postsale.backoffice import exchanges, flags, refunds, tickets, views

app_name = "backoffice"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="backoffice/login.html",
                                                redirect_authenticated_user=True),
         name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("orders/", views.order_list, name="orders"),
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
    path("tickets/<str:number>/", tickets.ticket_detail, name="ticket"),
    path("seller/", views.seller_switch, name="seller_switch"),
]

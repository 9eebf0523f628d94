from django.urls import path

from postsale.portal import views

app_name = "portal"

urlpatterns = [
    path("<str:token>/", views.order_page, name="order"),
    path("<str:token>/tickets/<str:number>/", views.ticket_page, name="ticket"),
]

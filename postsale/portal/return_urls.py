"""/r/<seller>/: the return-form link a sales channel puts in its own e-mails."""

from django.urls import path

from postsale.portal import find, returns

app_name = "returns"

urlpatterns = [
    path("<slug:seller>/", find.return_start, name="start"),
    path("<slug:seller>/<str:token>/", returns.return_form, name="form"),
]

from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from postsale.api.hooks import payment_notification
from postsale.api.urls import api

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="backoffice:orders", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    re_path(r"^hooks/payments/(?P<provider>[^/]+)/(?P<seller>[^/]+)/?$", payment_notification,
            name="payment-notification"),
    path("backoffice/", include("postsale.backoffice.urls")),
    path("o/", include("postsale.portal.urls")),
    path("r/", include("postsale.portal.return_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]

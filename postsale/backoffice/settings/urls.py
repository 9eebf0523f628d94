"""The settings pages' URLs, included under /backoffice/settings/ in the back office's
namespace (names like `backoffice:settings_calendar`)."""

from django.urls import path

from postsale.backoffice.settings import calendar, general, members, refunds, tokens

urlpatterns = [
    path("", general.settings_general, name="settings"),
    path("calendar/", calendar.settings_calendar, name="settings_calendar"),
    path("calendar/preview/", calendar.calendar_preview, name="settings_calendar_preview"),
    path("calendar/closures/", calendar.closure_add_view, name="closure_add"),
    path("calendar/closures/<str:day>/remove/", calendar.closure_remove_view,
         name="closure_remove"),
    path("refunds/", refunds.settings_refunds, name="settings_refunds"),
    path("refunds/<slug:sku>/", refunds.product_terms, name="settings_product_terms"),
    path("members/", members.settings_members, name="settings_members"),
    path("members/<int:member>/role/", members.member_role_view, name="member_role"),
    path("members/<int:member>/remove/", members.member_remove_view, name="member_remove"),
    path("tokens/", tokens.settings_tokens, name="settings_tokens"),
    path("tokens/<int:token>/revoke/", tokens.token_revoke_view, name="token_revoke"),
]

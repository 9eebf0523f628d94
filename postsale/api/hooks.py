"""Payment provider notifications: `POST /hooks/payments/<provider>/<seller slug>`.

A plain Django view, not an API operation: signatures cover the exact bytes received, so
the body is read raw, and every provider expects its own reply. No session or CSRF token:
the provider's signature or hash is the authentication."""

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from postsale.payments.notifications_in import provider_notification_receive


@csrf_exempt
@require_POST
def payment_notification(request: HttpRequest, provider: str, seller: str) -> HttpResponse:
    try:
        body = request.body
    except RequestDataTooBig:
        return HttpResponse("Notification too large.", status=413, content_type="text/plain")
    reply = provider_notification_receive(provider_name=provider, seller_slug=seller,
                                          body=body, headers=request.headers)
    return HttpResponse(reply.body, status=reply.status, content_type=reply.content_type)

from django.http import HttpResponse

from postsale.backoffice.access import seller_required


@seller_required
def ticket_detail(request, number):  # placeholder, replaced by the ticket page
    return HttpResponse(number)

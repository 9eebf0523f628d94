from django.http import HttpResponse


def order_page(request, token):  # placeholder, replaced by the portal pages
    return HttpResponse("order")


def ticket_page(request, token, number):
    return HttpResponse("ticket")

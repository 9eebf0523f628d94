# Placeholder views; the back office shell replaces these.
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def order_list(request):
    return HttpResponse("orders")


@login_required
def order_detail(request, number):
    return HttpResponse(number)


@login_required
def seller_switch(request):
    return HttpResponse("switch")

"""Round-robin under load on PostgreSQL: tickets opened at the same moment on different
orders take consecutive turns of the rule — spread evenly, no turn given twice, never the
same consultant twice in a row."""

import itertools
import threading
import time
import traceback
from collections import Counter

import pytest
from django.db import connection, transaction

from postsale.core.audit import Actor
from postsale.core.models import AuditEvent
from postsale.orders.tests.factories import make_order, make_product
from postsale.sellers.models import Role
from postsale.sellers.tests.factories import make_member, make_seller
from postsale.tickets.assignment import RuleDraft, assign_new_ticket, assignment_rule_create
from postsale.tickets.models import AssignmentRule, Ticket
from postsale.tickets.tests.factories import open_ticket

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
CONSULTANTS, TICKETS = 3, 24


def test_concurrent_new_tickets_are_spread_evenly_in_turn():
    seller = make_seller(slug="busy")
    users = [make_member(seller, role=Role.AGENT, username=f"agent-{i}").user
             for i in range(CONSULTANTS)]
    assignment_rule_create(seller=seller, actor=Actor("user", "owner"),
                           draft=RuleDraft(channel=None, type="", consultants=users))
    product = make_product(seller, price=1000)
    orders = [make_order(seller, product, email=f"c{i}@example.com") for i in range(TICKETS)]
    barrier, errors = threading.Barrier(TICKETS), []

    def open_one(order):
        try:
            barrier.wait(timeout=20)
            open_ticket(order, body="At the same moment.")
        except Exception:
            errors.append(traceback.format_exc())
        finally:
            connection.close()

    threads = [threading.Thread(target=open_one, args=(o,)) for o in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert Ticket.objects.count() == TICKETS
    counts = Counter(Ticket.objects.values_list("assignee__username", flat=True))
    assert counts == {u.username: TICKETS // CONSULTANTS for u in users}
    turns = sorted((e.data["turn"], e.data["assignee"])
                   for e in AuditEvent.objects.filter(action="ticket.opened"))
    assert [t for t, _ in turns] == list(range(TICKETS))  # no turn given twice
    in_order = [who for _, who in turns]
    assert all(a != b for a, b in itertools.pairwise(in_order))
    assert AssignmentRule.objects.get().turns == TICKETS


def test_the_rule_lock_alone_keeps_turns_apart():
    """`ticket_open` happens to lock the seller's row too (the order's lock joins it), so
    the test above would pass without the rule's own lock. Here each transaction takes
    a turn and holds it a while, with nothing else serializing them."""
    seller = make_seller(slug="slow")
    users = [make_member(seller, role=Role.AGENT, username=f"slow-{i}").user
             for i in range(CONSULTANTS)]
    assignment_rule_create(seller=seller, actor=Actor("user", "owner"),
                           draft=RuleDraft(channel=None, type="", consultants=users))
    order = make_order(seller, make_product(seller, price=1000))
    n = 9
    barrier, turns, errors = threading.Barrier(n), [], []

    def take_turn():
        try:
            barrier.wait(timeout=20)
            with transaction.atomic():
                ticket = Ticket(seller=seller, order=order, type="support", opened_by="customer")
                assigned = assign_new_ticket(ticket, actor=Actor("customer"))
                time.sleep(0.05)  # the rest of ticket_open's work
            turns.append((assigned.turn, assigned.user.username))
        except Exception:
            errors.append(traceback.format_exc())
        finally:
            connection.close()

    threads = [threading.Thread(target=take_turn) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(t for t, _ in turns) == list(range(n))
    assert Counter(who for _, who in turns) == {u.username: n // CONSULTANTS for u in users}

"""The assignment-rules page in the settings: owners only; rules made, changed, moved and
deleted through the services; mistakes shown on the form with nothing saved."""

import pytest
from django.urls import reverse

from postsale.sellers.models import Role, SalesChannel
from postsale.sellers.tests.factories import make_member
from postsale.tickets.assignment import RuleDraft, assignment_rule_create
from postsale.tickets.models import AssignmentRule
from postsale.tickets.tests.factories import AGENT

PAGE = reverse("backoffice:assignment_rules")
NEW = reverse("backoffice:assignment_rule_new")


@pytest.fixture
def owner(seller):
    return make_member(seller, role=Role.OWNER, username="olga").user


@pytest.fixture
def owner_client(owner, client_for):
    return client_for(owner)


def test_only_owners_see_and_change_the_rules(seller, agent_client, client_for):
    for role in (Role.VIEWER, Role.DOOR):
        client = client_for(make_member(seller, role=role, username=f"u-{role}").user)
        assert client.get(PAGE).status_code == 403
    assert agent_client.get(PAGE).status_code == 403
    assert agent_client.post(NEW, {"consultants": ["1"]}).status_code == 403
    assert not AssignmentRule.objects.exists()


def test_an_owner_adds_a_rule_and_sees_whose_turn_is_next(owner_client, seller, owner, agent):
    box = SalesChannel.objects.get(seller=seller, code="box-office")
    response = owner_client.post(NEW, {"channel": str(box.pk), "type": "return",
                                       "consultants": [str(agent.pk), str(owner.pk)]})
    assert response.status_code == 302 and response["Location"] == PAGE
    rule = AssignmentRule.objects.get()
    assert (rule.channel, rule.type) == (box, "return")
    assert [c.user.username for c in rule.consultants.all()] == ["agnes", "olga"]
    page = owner_client.get(PAGE).text
    row = page.split(f'data-rule="{rule.pk}"')[1].split("</tr>")[0]
    assert "Box office" in row and "Return" in row and "<bdi>agnes</bdi>" in row
    assert "0 tickets assigned" in row


def test_mistakes_are_shown_and_nothing_is_saved(owner_client, seller, other_seller, agent):
    viewer = make_member(seller, role=Role.VIEWER, username="vic").user
    theirs = SalesChannel.objects.get(seller=other_seller, code="web-shop")
    for data in ({"type": "refund"},  # nobody chosen
                 {"consultants": [str(viewer.pk)]},  # not a consultant
                 {"channel": str(theirs.pk), "consultants": [str(agent.pk)]},
                 {"type": "bogus", "consultants": [str(agent.pk)]}):
        response = owner_client.post(NEW, data)
        assert response.status_code == 422, data
        assert "Please correct the marked fields." in response.text
    assert not AssignmentRule.objects.exists()
    owner_client.post(NEW, {"consultants": [str(agent.pk)]})
    duplicate = owner_client.post(NEW, {"consultants": [str(agent.pk)]})
    assert duplicate.status_code == 409 and "exists already" in duplicate.text
    assert AssignmentRule.objects.count() == 1


def test_rules_are_edited_moved_and_deleted(owner_client, seller, owner, agent, other_seller):
    first = assignment_rule_create(seller=seller, actor=AGENT, draft=RuleDraft(
        channel=None, type="", consultants=[agent]))
    second = assignment_rule_create(seller=seller, actor=AGENT, draft=RuleDraft(
        channel=None, type="refund", consultants=[agent]))
    edit = reverse("backoffice:assignment_rule", args=[second.pk])
    assert 'id="rule-form"' in owner_client.get(edit).text
    owner_client.post(edit, {"type": "exchange", "consultants": [str(owner.pk)]})
    second.refresh_from_db()
    assert second.type == "exchange"
    owner_client.post(reverse("backoffice:assignment_rule_move", args=[second.pk]), {"up": "1"})
    assert list(AssignmentRule.objects.values_list("pk", flat=True)) == [second.pk, first.pk]
    owner_client.post(reverse("backoffice:assignment_rule_delete", args=[first.pk]))
    assert list(AssignmentRule.objects.values_list("pk", flat=True)) == [second.pk]
    theirs = assignment_rule_create(seller=other_seller, actor=AGENT, draft=RuleDraft(
        channel=None, type="", consultants=[make_member(other_seller, username="t").user]))
    for name in ("assignment_rule", "assignment_rule_move", "assignment_rule_delete"):
        assert owner_client.post(reverse(f"backoffice:{name}", args=[theirs.pk]),
                                 {"consultants": [str(agent.pk)]}).status_code == 404
    assert AssignmentRule.objects.filter(pk=theirs.pk).exists()

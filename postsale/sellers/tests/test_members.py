"""Members: adding people by username or e-mail (with an invitation e-mail), changing
roles, removing, and the seller's last owner, who can be neither removed nor demoted."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.db import close_old_connections
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from postsale.core.audit import Actor
from postsale.core.errors import Conflict, Invalid, NotFound
from postsale.core.models import AuditEvent
from postsale.notifications.models import Notification
from postsale.sellers.members import member_change_role, member_invite, member_remove
from postsale.sellers.models import Member, Role
from postsale.sellers.tests.factories import make_member

User = get_user_model()
OWNER = Actor("user", "olga")


@pytest.fixture
def owner(seller):
    return make_member(seller, role=Role.OWNER, username="olga")


class TestInvite:
    def test_a_new_person_gets_an_account_and_a_link_to_choose_a_password(self, seller,
                                                                          owner):
        member, created = member_invite(seller=seller, identifier=" Jan@Example.com ",
                                        role=Role.AGENT, actor=OWNER)
        assert created and member.role == Role.AGENT
        user = member.user
        assert user.username == "jan@example.com" and user.email == "Jan@example.com"
        assert not user.has_usable_password()
        mail = Notification.objects.get(kind="member_invited")
        assert mail.to_email == "Jan@example.com" and "Acme Events" in mail.subject
        assert "Agent" in mail.body_text and "jan@example.com" in mail.body_text
        link = next(w for w in mail.body_text.split() if "/backoffice/password/" in w)
        uid, token = link.rstrip("/").split("/")[-2:]
        assert force_str(urlsafe_base64_decode(uid)) == str(user.pk)
        assert default_token_generator.check_token(user, token)
        event = AuditEvent.objects.filter(action="member.added").latest("id")
        assert event.data == {"user": "jan@example.com", "role": "agent", "new_account": True}

    def test_an_existing_user_is_found_by_username_or_e_mail(self, seller, other_seller):
        someone = make_member(other_seller, username="marta").user
        someone.email = "marta@example.com"
        someone.save()
        member, created = member_invite(seller=seller, identifier="MARTA@example.com",
                                        role=Role.VIEWER, actor=OWNER)
        assert not created and member.user == someone
        mail = Notification.objects.get(kind="member_invited")
        assert "/backoffice/login/" in mail.body_text and "/password/" not in mail.body_text
        assert User.objects.filter(username__iexact="marta").count() == 1

    def test_someone_already_a_member_is_not_added_twice(self, seller, owner):
        with pytest.raises(Conflict) as exc:
            member_invite(seller=seller, identifier="olga", role=Role.VIEWER, actor=OWNER)
        assert "already a member (Owner)" in exc.value.message
        assert Member.objects.get(seller=seller).role == Role.OWNER

    @pytest.mark.parametrize(("identifier", "role"), [
        ("nobody-by-this-name", Role.AGENT),  # a username nobody has: say to use an e-mail
        ("", Role.AGENT),
        ("jan@example.com", "boss"),
        ("jan@@example", Role.AGENT),
    ])
    def test_bad_input_changes_nothing(self, seller, identifier, role):
        users = User.objects.count()
        with pytest.raises(Invalid):
            member_invite(seller=seller, identifier=identifier, role=role, actor=OWNER)
        assert User.objects.count() == users and not Member.objects.exists()
        assert not Notification.objects.exists()

    def test_an_address_shared_by_two_users_asks_for_the_username(self, seller):
        for name in ("a1", "a2"):
            User.objects.create_user(name, email="shared@example.com")
        with pytest.raises(Invalid) as exc:
            member_invite(seller=seller, identifier="shared@example.com", role=Role.AGENT,
                          actor=OWNER)
        assert "username" in exc.value.field_errors["identifier"]


class TestRolesAndRemoval:
    def test_roles_change_and_members_are_removed_with_audit(self, seller, owner):
        agent = make_member(seller, role=Role.AGENT)
        member_change_role(seller=seller, member_id=agent.pk, role=Role.OWNER, actor=OWNER)
        assert Member.objects.get(pk=agent.pk).role == Role.OWNER
        member_remove(seller=seller, member_id=agent.pk, actor=OWNER)
        assert not Member.objects.filter(pk=agent.pk).exists()
        assert User.objects.filter(pk=agent.user_id).exists()  # the account stays
        assert [e.action for e in AuditEvent.objects.filter(
            action__startswith="member.", subject=f"member:{agent.pk}").order_by("id")] == [
            "member.added", "member.role_changed", "member.removed"]

    def test_the_last_owner_can_be_neither_demoted_nor_removed(self, seller, owner):
        with pytest.raises(Conflict) as exc:
            member_change_role(seller=seller, member_id=owner.pk, role=Role.AGENT,
                               actor=OWNER)
        assert exc.value.code == "last_owner" and "only owner" in exc.value.message
        with pytest.raises(Conflict):
            member_remove(seller=seller, member_id=owner.pk, actor=OWNER)
        assert Member.objects.get(pk=owner.pk).role == Role.OWNER
        second = make_member(seller, role=Role.OWNER)
        member_change_role(seller=seller, member_id=owner.pk, role=Role.AGENT, actor=OWNER)
        with pytest.raises(Conflict):
            member_remove(seller=seller, member_id=second.pk, actor=OWNER)

    def test_another_sellers_member_is_not_found(self, seller, other_seller, owner):
        theirs = make_member(other_seller, role=Role.AGENT)
        with pytest.raises(NotFound):
            member_change_role(seller=seller, member_id=theirs.pk, role=Role.VIEWER,
                               actor=OWNER)
        with pytest.raises(NotFound):
            member_remove(seller=seller, member_id=theirs.pk, actor=OWNER)
        assert Member.objects.get(pk=theirs.pk).role == Role.AGENT

    def test_an_unknown_role_is_refused(self, seller, owner):
        agent = make_member(seller, role=Role.AGENT)
        with pytest.raises(Invalid):
            member_change_role(seller=seller, member_id=agent.pk, role="admin", actor=OWNER)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_owners_demoting_each_other_at_once_leave_one_owner(seller):
    """Each demotion locks every owner row first, so the second sees one owner left."""
    first, second = (make_member(seller, role=Role.OWNER) for _ in range(2))
    barrier, outcomes = threading.Barrier(2), []

    def demote(member):
        try:
            barrier.wait()
            member_change_role(seller=seller, member_id=member.pk, role=Role.AGENT,
                               actor=OWNER)
            outcomes.append("demoted")
        except Conflict:
            outcomes.append("refused")
        finally:
            close_old_connections()

    threads = [threading.Thread(target=demote, args=(m,)) for m in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["demoted", "refused"]
    assert Member.objects.filter(seller=seller, role=Role.OWNER).count() == 1

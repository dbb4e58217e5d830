"""The sign-up and course REST APIs' rules (balaikode_hub.signup_api,
balaikode_hub.courses) on a real, in-memory JupyterHub database with
NativeAuthenticator's sign-up table. The handlers around these functions
only add the hub's token and scope checks, which the real stack's tests
(tests/security/test_api_boundaries.py) exercise."""

from __future__ import annotations

import pytest
from jupyterhub import orm
from nativeauthenticator.orm import UserInfo
from tornado import web

from balaikode.names import problem
from balaikode_hub.courses import (COURSE_GID_BASE, LEARNER_UID_BASE, add_to_course,
                                   archive_course, course_mounts, course_model, course_names,
                                   delete_course, remove_from_course, restore_course)
from balaikode_hub import full_names
from balaikode_hub.signup_api import set_approval, set_full_name, signups
from balaikode_hub.throttle import Limit, Throttle

ADMINS = {"admin"}


@pytest.fixture
def db():
    return orm.new_session_factory("sqlite:///:memory:")()


def sign_up(db, name: str, approved: bool = False) -> None:
    db.add(UserInfo(username=name, password=b"bcrypt-hash", is_authorized=approved))
    db.commit()


def hub_user(db, name: str) -> orm.User:
    """A user who has logged in once (the hub makes its user then)."""
    user = orm.User(name=name)
    db.add(user)
    db.commit()
    return user


class UserMaker:
    """What CourseHandler passes as create_user: the hub's user_from_username."""

    def __init__(self, db):
        self.db, self.made = db, []

    def __call__(self, name: str) -> orm.User:
        self.made.append(name)
        return hub_user(self.db, name)


def refused(function, *args) -> tuple[int, str]:
    with pytest.raises(web.HTTPError) as error:
        function(*args)
    return error.value.status_code, error.value.log_message


def groups(db) -> list[str]:
    return sorted(group.name for group in db.query(orm.Group))


# --- Courses ---

@pytest.mark.parametrize("course", ["Kelas-A", "../kelas", "kelas a", "-kelas", "k" * 80, ""])
def test_a_course_name_against_the_naming_rule_is_400_with_the_rule(db, course):
    hub_user(db, "guru")
    status, message = refused(add_to_course, db, course, {"trainers": ["guru"]}, UserMaker(db))
    assert (status, message) == (400, problem("course", course))
    assert groups(db) == []


@pytest.mark.parametrize("body,message", [
    ([], 'Body must be a JSON object: {"trainers": [...], "learners": [...]}'),
    ("guru", 'Body must be a JSON object: {"trainers": [...], "learners": [...]}'),
    ({"trainers": "guru"}, "trainers must be a list of user names"),
    ({"trainers": ["guru"], "learners": [1]}, "learners must be a list of user names"),
    ({"learners": [None]}, "learners must be a list of user names"),
    ({"learners": {"siti": 1}}, "learners must be a list of user names"),
])
def test_a_body_that_is_not_an_object_of_name_lists_is_400_with_the_expected_shape(db, body, message):
    hub_user(db, "guru")
    assert refused(add_to_course, db, "kelas-a", body, UserMaker(db)) == (400, message)
    assert groups(db) == []


def test_a_new_course_is_two_groups_with_stable_identities(db):
    guru, siti = hub_user(db, "guru"), hub_user(db, "siti")
    model = add_to_course(db, "kelas-a", {"trainers": ["guru"], "learners": ["siti"]}, UserMaker(db))
    assert groups(db) == ["formgrade-kelas-a", "nbgrader-kelas-a"]
    trainers = orm.Group.find(db, "formgrade-kelas-a")
    assert model == {"course": "kelas-a", "gid": COURSE_GID_BASE + trainers.id,
                     "trainers": {"guru": LEARNER_UID_BASE + guru.id},
                     "learners": {"siti": LEARNER_UID_BASE + siti.id},
                     "full_names": {"guru": None, "siti": None}}
    assert course_model(db, "kelas-a") == model


def test_the_course_model_carries_its_members_full_names_only(db):
    for name in ("guru", "siti", "budi", "lain"):
        hub_user(db, name)
    full_names.put(db, "siti", "Siti Aminah")
    full_names.put(db, "guru", "Pak Darto")
    full_names.put(db, "lain", "Orang Lain")  # in no course
    model = add_to_course(db, "kelas-a", {"trainers": ["guru"], "learners": ["siti", "budi"]},
                          UserMaker(db))
    assert model["full_names"] == {"guru": "Pak Darto", "siti": "Siti Aminah", "budi": None}


def test_adding_again_adds_without_duplicates_and_keeps_the_course_gid(db):
    for name in ("guru", "siti", "budi"):
        hub_user(db, name)
    first = add_to_course(db, "kelas-a", {"trainers": ["guru"], "learners": ["siti"]}, UserMaker(db))
    second = add_to_course(db, "kelas-a", {"learners": ["siti", "budi", "budi"]}, UserMaker(db))
    assert second["gid"] == first["gid"]
    assert second["trainers"] == first["trainers"]
    assert set(second["learners"]) == {"siti", "budi"}
    assert len(orm.Group.find(db, "nbgrader-kelas-a").users) == 2


def test_no_body_creates_an_empty_course(db):
    model = add_to_course(db, "kelas-a", None, UserMaker(db))
    assert (model["trainers"], model["learners"]) == ({}, {})
    assert groups(db) == ["formgrade-kelas-a", "nbgrader-kelas-a"]


def test_an_unknown_user_is_400_and_nothing_changes(db):
    hub_user(db, "guru")
    status, message = refused(add_to_course, db, "kelas-a",
                              {"trainers": ["guru"], "learners": ["hantu"]}, UserMaker(db))
    assert (status, message) == (400, "No user hantu: they must sign up and be approved first")
    assert groups(db) == []


def test_a_sign_up_waiting_for_approval_cannot_join_a_course(db):
    sign_up(db, "siti")
    make = UserMaker(db)
    status, message = refused(add_to_course, db, "kelas-a", {"learners": ["siti"]}, make)
    assert (status, message) == (400, "No user siti: they must sign up and be approved first")
    assert make.made == [] and orm.User.find(db, "siti") is None


def test_an_approved_sign_up_who_never_logged_in_joins_before_the_first_day(db):
    sign_up(db, "siti", approved=True)
    make = UserMaker(db)
    model = add_to_course(db, "kelas-a", {"learners": ["siti"]}, make)
    assert make.made == ["siti"]
    assert model["learners"] == {"siti": LEARNER_UID_BASE + orm.User.find(db, "siti").id}


def test_an_unknown_course_is_404(db):
    assert refused(course_model, db, "kelas-z") == (404, "No course kelas-z")


# --- Removing people, archiving, restoring, deleting ---

@pytest.fixture
def kelas(db):
    """kelas-a: guru trains, siti and budi learn; eko is a user outside it."""
    for name in ("guru", "siti", "budi", "eko"):
        hub_user(db, name)
    return add_to_course(db, "kelas-a", {"trainers": ["guru"], "learners": ["siti", "budi"]},
                         UserMaker(db))


def test_removing_takes_people_out_of_their_role_only(db, kelas):
    add_to_course(db, "kelas-a", {"learners": ["guru"]}, UserMaker(db))
    model = remove_from_course(db, "kelas-a", {"learners": ["siti", "guru"]})
    assert (set(model["trainers"]), set(model["learners"])) == ({"guru"}, {"budi"})
    assert model["gid"] == kelas["gid"]
    # Still a hub user, in no group of the course.
    assert [g.name for g in orm.User.find(db, "siti").groups] == []
    model = remove_from_course(db, "kelas-a", {"trainers": ["guru"]})
    assert (model["trainers"], set(model["learners"])) == ({}, {"budi"})


@pytest.mark.parametrize("body,message", [
    ({"learners": ["budi", "eko"]}, "eko is not a learner of kelas-a"),
    ({"trainers": ["siti"]}, "siti is not a trainer of kelas-a"),
    ({"learners": ["hantu"]}, "hantu is not a learner of kelas-a"),
])
def test_removing_someone_not_in_the_role_is_400_naming_them_and_nobody_is_removed(db, kelas, body, message):
    assert refused(remove_from_course, db, "kelas-a", body) == (400, message)
    assert course_model(db, "kelas-a") == kelas


def test_removing_from_a_course_that_is_not_there_is_404_and_bad_bodies_400(db, kelas):
    assert refused(remove_from_course, db, "kelas-z", {"learners": ["siti"]}) == (404, "No course kelas-z")
    assert refused(remove_from_course, db, "kelas-a", {"learners": "siti"}) == \
        (400, "learners must be a list of user names")
    assert refused(remove_from_course, db, "Kelas A", {}) == (400, problem("course", "Kelas A"))


def test_in_swarm_mode_learners_read_the_exchange_through_the_grader(db, kelas):
    """A learner's server may run on another machine than the exchange
    volume: it gets no mount, and nbgrader is told to ask the grader. A
    trainer (who stays beside the course folders) keeps every mount."""
    siti = orm.User.find(db, "siti")
    volumes, env = course_mounts("proj", db, siti, exchange_service=True)
    assert volumes == {}
    assert env["BALAIKODE_EXCHANGE"] == "service"
    assert env["BALAIKODE_EXCHANGES"] == f"kelas-a:{kelas['gid']}"
    volumes, env = course_mounts("proj", db, orm.User.find(db, "guru"), exchange_service=True)
    assert {"proj-exchange-kelas-a", "proj-course-kelas-a"} <= set(volumes)
    assert env["BALAIKODE_EXCHANGE"] == "volume"
    # One machine: the mount, as always.
    volumes, env = course_mounts("proj", db, siti)
    assert volumes["proj-exchange-kelas-a"]["mode"] == "ro" and env["BALAIKODE_EXCHANGE"] == "volume"


def test_an_archived_course_is_closed_for_its_members_and_kept_whole(db, kelas):
    siti = orm.User.find(db, "siti")
    volumes, env = course_mounts("proj", db, siti)
    assert "proj-exchange-kelas-a" in volumes
    archived = archive_course(db, "kelas-a")
    assert archived == {**kelas, "archived": True}
    assert course_names(db) == [] and course_names(db, archived=True) == ["kelas-a"]
    # Not served any more: no course model for the grader, no mounts at the
    # next start, for learners and trainers alike.
    assert refused(course_model, db, "kelas-a") == (404, "No course kelas-a")
    for name in ("siti", "guru"):
        volumes, env = course_mounts("proj", db, orm.User.find(db, name))
        assert volumes == {} and env["BALAIKODE_EXCHANGES"] == "" and env["BALAIKODE_ROLE"] == "learner"
    # Changing its people waits until it is restored.
    assert refused(add_to_course, db, "kelas-a", {"learners": ["eko"]}, UserMaker(db)) == \
        (409, "Course kelas-a is archived: restore it first, or delete it for good")
    assert refused(remove_from_course, db, "kelas-a", {"learners": ["siti"]}) == (404, "No course kelas-a")
    assert refused(archive_course, db, "kelas-a") == (404, "No course kelas-a")


def test_restoring_brings_the_same_course_back_with_its_gid(db, kelas):
    archive_course(db, "kelas-a")
    assert restore_course(db, "kelas-a") == kelas
    assert course_names(db) == ["kelas-a"] and course_names(db, archived=True) == []
    volumes, env = course_mounts("proj", db, orm.User.find(db, "guru"))
    assert env["BALAIKODE_TEACHES"] == f"kelas-a:{kelas['gid']}"
    assert refused(restore_course, db, "kelas-a") == (404, "No archived course kelas-a")


def test_a_course_name_in_use_again_blocks_restoring_over_it(db, kelas):
    archive_course(db, "kelas-a")
    db.add(orm.Group(name="nbgrader-kelas-a"))  # made by hand in the admin panel
    db.commit()
    assert refused(restore_course, db, "kelas-a") == \
        (409, "A course kelas-a exists: it cannot be restored under the same name")
    assert course_names(db, archived=True) == ["kelas-a"]


class Remover:
    """delete_course's remove_volumes: records, or refuses like Docker when in use."""

    def __init__(self, error=None):
        self.error, self.removed = error, []

    async def __call__(self, course):
        if self.error:
            raise self.error
        self.removed.append(course)


def test_deleting_for_good_removes_the_files_then_the_groups(db, kelas):
    import asyncio
    remover = Remover()
    # Only from the archive: an open course is never deleted in one step.
    with pytest.raises(web.HTTPError) as error:
        asyncio.run(delete_course(db, "kelas-a", remover))
    assert (error.value.status_code, remover.removed) == (404, [])
    archive_course(db, "kelas-a")
    assert asyncio.run(delete_course(db, "kelas-a", remover)) == {"course": "kelas-a", "deleted": True}
    assert remover.removed == ["kelas-a"] and groups(db) == []
    assert orm.User.find(db, "siti") is not None
    # The name is free for a new course, with nobody of the old one in it.
    # (SQLite may give it the old GID again: no file of the old course is left.)
    again = add_to_course(db, "kelas-a", {"learners": ["eko"]}, UserMaker(db))
    assert (again["trainers"], list(again["learners"])) == ({}, ["eko"])


def test_a_refused_volume_removal_keeps_the_archived_course(db, kelas):
    import asyncio
    archive_course(db, "kelas-a")
    with pytest.raises(web.HTTPError) as error:
        asyncio.run(delete_course(db, "kelas-a", Remover(web.HTTPError(409, "in use"))))
    assert error.value.status_code == 409
    assert course_model(db, "kelas-a", archived=True) == {**kelas, "archived": True}


# --- Sign-ups ---

def test_sign_ups_are_listed_oldest_first_and_admins_are_always_approved(db):
    sign_up(db, "admin")
    sign_up(db, "siti")
    sign_up(db, "budi", approved=True)
    full_names.put(db, "siti", "Siti")
    assert signups(db, ADMINS) == [
        {"name": "admin", "full_name": None, "approved": True, "admin": True},
        {"name": "siti", "full_name": "Siti", "approved": False, "admin": False},
        {"name": "budi", "full_name": None, "approved": True, "admin": False},
    ]


def test_the_admin_sets_a_full_name_cleaned_like_the_sign_up_form_does(db):
    sign_up(db, "siti")
    assert set_full_name(db, "siti", {"full_name": "  Nur\u2019aini   Siti  "}) == \
        {"name": "siti", "full_name": "Nur\u2019aini Siti"}
    assert set_full_name(db, "siti", {"full_name": "Siti"})["full_name"] == "Siti"
    assert full_names.get(db, "siti") == "Siti"


def test_a_hub_user_without_a_sign_up_can_be_given_a_full_name(db):
    # Made with the admin API: no users_info row, no full name until set.
    hub_user(db, "tamu")
    assert full_names.get(db, "tamu") is None
    assert set_full_name(db, "tamu", {"full_name": "Tamu Desa"})["full_name"] == "Tamu Desa"


@pytest.mark.parametrize("body,message", [
    ({"full_name": ""}, full_names.MSG_MISSING),
    ({"full_name": "   "}, full_names.MSG_MISSING),
    ({"full_name": None}, full_names.MSG_MISSING),
    ({"full_name": "=HYPERLINK(\"x\")"}, full_names.MSG_CHARACTERS),
    ({"full_name": "x" * 101}, full_names.MSG_TOO_LONG.format(maximum=100)),
    ({"nama": "Siti"}, 'Body must be a JSON object: {"full_name": "..."}'),
    (["Siti"], 'Body must be a JSON object: {"full_name": "..."}'),
    (None, 'Body must be a JSON object: {"full_name": "..."}'),
])
def test_a_full_name_against_the_rule_is_400_with_the_rule_and_nothing_changes(db, body, message):
    sign_up(db, "siti")
    full_names.put(db, "siti", "Siti")
    assert refused(set_full_name, db, "siti", body) == (400, message)
    assert full_names.get(db, "siti") == "Siti"


def test_a_full_name_for_nobody_is_404(db):
    assert refused(set_full_name, db, "hantu", {"full_name": "Hantu"}) == (404, "No user named hantu")
    assert full_names.get(db, "hantu") is None


def test_approve_and_unapprove(db):
    sign_up(db, "siti")
    throttle = Throttle()
    assert set_approval(db, "siti", True, ADMINS, throttle) == {"name": "siti", "approved": True}
    assert UserInfo.find(db, "siti").is_authorized
    assert set_approval(db, "siti", False, ADMINS, throttle) == {"name": "siti", "approved": False}
    assert not UserInfo.find(db, "siti").is_authorized


@pytest.mark.parametrize("approve", [True, False])
def test_an_unknown_sign_up_is_404(db, approve):
    assert refused(set_approval, db, "hantu", approve, ADMINS, Throttle()) == \
        (404, "No sign-up named hantu")


def test_an_admin_cannot_be_unapproved(db):
    sign_up(db, "admin", approved=True)
    assert refused(set_approval, db, "admin", False, ADMINS, Throttle()) == \
        (400, "Admin accounts are always approved")
    assert UserInfo.find(db, "admin").is_authorized


def test_a_decided_sign_up_no_longer_counts_against_its_address(db):
    throttle = Throttle(signups_per_address=Limit(1, 3600))
    sign_up(db, "siti")
    throttle.signed_up("10.0.0.7", "siti")
    assert throttle.signup_wait("10.0.0.7") > 0
    set_approval(db, "siti", True, ADMINS, throttle)
    assert throttle.signup_wait("10.0.0.7") == 0


def test_the_course_page_offers_approved_sign_ups_and_hub_users_with_full_names(db):
    from balaikode_hub.course_page import candidates, find_course
    sign_up(db, "menunggu")
    sign_up(db, "siti", approved=True)   # approved, never logged in
    hub_user(db, "guru")                 # made with the admin API, no sign-up row
    full_names.put(db, "siti", "Siti Aminah")
    assert candidates(db) == [{"name": "guru", "full_name": ""},
                              {"name": "siti", "full_name": "Siti Aminah"}]
    add_to_course(db, "kelas-a", {"learners": ["siti"]}, UserMaker(db))
    assert "archived" not in find_course(db, "kelas-a")
    archive_course(db, "kelas-a")
    assert find_course(db, "kelas-a")["archived"] is True
    assert refused(find_course, db, "kelas-z") == (404, "No course kelas-z")

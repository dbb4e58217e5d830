"""Courses managed by the admin (issue 17, item 5; issue 18, item 5 for
courses): the REST API, `./balaikode course` and the /hub/kursus page's
forms on the real stack. People are taken out, a course is archived (closed
for its trainers and learners: no folders at their next start, the grader
no longer serves it), restored as it was, and deleted for good: its volumes
go, and the disks service takes the exchange's disk off its loop device.
Only admins can do any of it."""

from __future__ import annotations

import requests

from support.hub_client import Browser, poll
from integration.test_disks import loops_of_project


def cli(stack, *args: str):
    return stack.admin_cli(*args)


def courses_listed(stack) -> str:
    listed = cli(stack, "courses")
    assert listed.returncode == 0, listed.stderr
    return listed.stdout


def line_of(listing: str, course: str) -> str:
    return next((line for line in listing.splitlines() if line.split("\t")[0] == course), "")


def roster(stack, trainer, course: str) -> requests.Response:
    """The grader service, asked by a trainer for her course's learners."""
    return requests.post(f"{stack.url}/services/grader/roster", json={"course": course}, timeout=30,
                         headers={"Authorization": f"token {trainer.token}"})


def exchanges_in_server(learner) -> list[str]:
    out = learner.run_code("import os; print(sorted(os.listdir('/srv/nbgrader/exchange')))")
    return eval(out.strip().splitlines()[-1])  # noqa: S307 - a list printed by our own code


def test_the_command_takes_people_out_archives_and_restores(stack, admin, new_learner):
    course = "kelas-arsip-cli"
    guru, ani, budi = new_learner("guru"), new_learner("ani"), new_learner("budi")
    made = cli(stack, "course", course, "--trainers", guru.name, "--learners", f"{ani.name},{budi.name}")
    assert made.returncode == 0, made.stderr
    gid = admin.api("GET", f"/balaikode/courses/{course}").json()["gid"]

    out = cli(stack, "course", course, "--remove-learners", budi.name)
    assert out.returncode == 0, out.stderr
    assert line_of(out.stdout, course).endswith(f"learners: {ani.name}"), out.stdout
    again = cli(stack, "course", course, "--remove-learners", budi.name)
    assert again.returncode != 0 and f"{budi.name} is not a learner of {course}" in again.stderr
    answer = roster(stack, guru, course)
    assert answer.status_code == 200, answer.text
    assert set(answer.json()["learners"]) == {ani.name}

    archived = cli(stack, "course", course, "--archive")
    assert archived.returncode == 0 and "ARCHIVED" in archived.stdout, archived.stdout + archived.stderr
    assert line_of(courses_listed(stack), course).endswith("ARCHIVED")
    # Closed: the grader serves its trainer nothing of it, her next start and
    # the learner's bring no folder of it, and nobody can be added meanwhile.
    assert roster(stack, guru, course).status_code in (403, 404)
    ani.start_server()
    assert course not in exchanges_in_server(ani)
    ani.stop_server()
    refused = cli(stack, "course", course, "--learners", budi.name)
    assert refused.returncode != 0 and f"Course {course} is archived" in refused.stderr

    restored = cli(stack, "course", course, "--restore")
    assert restored.returncode == 0, restored.stderr
    assert not line_of(courses_listed(stack), course).endswith("ARCHIVED")
    model = admin.api("GET", f"/balaikode/courses/{course}").json()
    assert model["gid"] == gid and set(model["learners"]) == {ani.name}
    assert set(model["trainers"]) == {guru.name}
    assert roster(stack, guru, course).status_code == 200
    ani.start_server()
    assert course in exchanges_in_server(ani)
    ani.stop_server()


def volumes_of(stack, course: str) -> set[str]:
    wanted = {f"{stack.project}-course-{course}", f"{stack.project}-exchange-{course}"}
    return {v.name for v in stack.docker.volumes.list() if v.name in wanted}


def test_deleting_for_good_removes_the_volumes_and_releases_the_disk(stack, admin, new_learner):
    course = "kelas-hapus-api"
    guru, siti = new_learner("guru"), new_learner("siti")
    made = admin.api("POST", f"/balaikode/courses/{course}",
                     json={"trainers": [guru.name], "learners": [siti.name]})
    assert made.status_code == 200, made.text
    for user in (guru, siti):
        user.start_server()
    assert len(volumes_of(stack, course)) == 2
    assert any(f"/{stack.project}-exchange-{course}.img" in back for back in loops_of_project(stack).values())

    # Only an archived course can be deleted.
    assert admin.api("DELETE", f"/balaikode/archive/{course}").status_code == 404
    assert admin.api("POST", f"/balaikode/courses/{course}/archive").json()["archived"] is True
    # Servers started while it was open still hold its folders: refused,
    # naming them, and nothing is lost.
    guru.stop_server()
    busy = admin.api("DELETE", f"/balaikode/archive/{course}")
    assert busy.status_code == 409, busy.text
    assert siti.name in busy.json()["message"] and guru.name not in busy.json()["message"]
    assert len(volumes_of(stack, course)) == 2
    assert admin.api("GET", f"/balaikode/archive/{course}").status_code == 200

    siti.stop_server()
    gone = admin.api("DELETE", f"/balaikode/archive/{course}")
    assert gone.status_code == 200, gone.text
    assert volumes_of(stack, course) == set()
    poll("the deleted course's exchange disk to leave its loop device",
         lambda: not any(f"/{stack.project}-exchange-{course}.img" in back
                         for back in loops_of_project(stack).values()), 60)
    for path in (f"/balaikode/archive/{course}", f"/balaikode/courses/{course}"):
        assert admin.api("GET", path).status_code == 404
    # The people are still there, their own files too.
    assert admin.api("GET", f"/users/{siti.name}").status_code == 200


def test_the_command_deletes_in_one_step(stack, new_learner):
    course = "kelas-hapus-cli"
    ani = new_learner("ani")
    assert cli(stack, "course", course, "--learners", ani.name).returncode == 0
    deleted = cli(stack, "course", course, "--delete")
    assert deleted.returncode == 0 and "DELETED" in deleted.stdout, deleted.stdout + deleted.stderr
    assert not line_of(courses_listed(stack), course)


def logged_in(stack, person) -> Browser:
    browser = Browser(stack.url)
    assert browser.login(person.name, person.password, follow_redirects=False).status == 302
    return browser


def test_the_page_forms_change_the_course_the_command_lists(stack, admin, new_learner):
    course = "kelas-halaman"
    guru, ani, budi = new_learner("guru"), new_learner("ani"), new_learner("budi")
    created = admin.submit("/hub/kursus", {"course": course})
    assert created.status == 200 and created.url.endswith(f"/hub/kursus/{course}?selesai=created")
    page = f"/hub/kursus/{course}"
    admin.submit(page, {"action": "add", "role": "trainers", "user": guru.name})
    response = admin.session.post(stack.url + page, timeout=60, data={
        "action": "add", "role": "learners", "user": [ani.name, budi.name],
        "_xsrf": admin.session.cookies.get("_xsrf", path="/hub/")})
    assert response.status_code == 200 and "Sudah ditambahkan" in response.content.decode()
    assert line_of(courses_listed(stack), course) == \
        f"{course}\ttrainers: {guru.name}\tlearners: {', '.join(sorted([ani.name, budi.name]))}"
    admin.submit(page, {"action": "remove", "role": "learners", "user": budi.name})
    assert line_of(courses_listed(stack), course).endswith(f"learners: {ani.name}")
    # A mistake is answered on the page, in Indonesian, naming the problem.
    wrong = admin.submit(page, {"action": "remove", "role": "learners", "user": budi.name})
    assert wrong.status == 400 and f"{budi.name} bukan peserta kursus {course}" in wrong.text
    bad_name = admin.submit("/hub/kursus", {"course": "Kelas Baru"})
    assert bad_name.status == 400 and "bukan nama kursus yang sah" in bad_name.text
    # Deleting wants the name typed.
    admin.submit(page, {"action": "archive"})
    unsure = admin.submit(page, {"action": "delete", "confirm": "kelas"})
    assert unsure.status == 400 and f"Ketik nama kursus {course}" in unsure.text
    assert line_of(courses_listed(stack), course).endswith("ARCHIVED")
    done = admin.submit(page, {"action": "delete", "confirm": course})
    assert done.status == 200 and done.url.endswith("/hub/kursus?selesai=deleted"), done.url
    assert "Kursus beserta berkasnya sudah dihapus" in done.text
    assert not line_of(courses_listed(stack), course)


def test_learners_and_trainers_can_neither_open_the_page_nor_change_courses(stack, new_learner):
    course = "kelas-terlarang"
    guru, ani = new_learner("guru"), new_learner("ani")
    assert cli(stack, "course", course, "--trainers", guru.name, "--learners", ani.name).returncode == 0
    for person in (guru, ani):
        browser = logged_in(stack, person)
        for path in ("/hub/kursus", f"/hub/kursus/{course}"):
            assert browser.get(path).status_code == 403, (person.name, path)
        form = browser.submit("/hub/home", {"action": "archive"}, action=f"/hub/kursus/{course}")
        assert form.status == 403, (person.name, form.status)
        for method, path, body in [
                ("POST", f"/balaikode/courses/{course}/remove", {"learners": [ani.name]}),
                ("POST", f"/balaikode/courses/{course}/archive", None),
                ("POST", f"/balaikode/courses/{course}", {"learners": [person.name]}),
                ("DELETE", f"/balaikode/archive/{course}", None)]:
            answer = person.hub(method, path, json=body)
            assert answer.status_code == 403, (person.name, method, path, answer.status_code)
    listed = line_of(courses_listed(stack), course)
    assert listed == f"{course}\ttrainers: {guru.name}\tlearners: {ani.name}", listed

"""NativeAuthenticator with Balai Kode's rules.

- Admin accounts are created at hub start with a password from the site
  settings (or a generated one written to a root-only file), so a stranger
  cannot claim the admin name by signing up first.
- Admins always count as approved: toggling an admin's approval cannot lock
  the server's only admin out.
- Sign-up and login explain every refusal (in the page's language) and never
  answer with a 500 page on odd input.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from jupyterhub.handlers import BaseHandler
from jupyterhub.utils import url_path_join
from nativeauthenticator import NativeAuthenticator
from nativeauthenticator import handlers as native
from nativeauthenticator.orm import UserInfo
from tornado import web
from traitlets import Unicode

from .courses import COURSE_API_HANDLERS
from .signup_api import SIGNUP_API_HANDLERS
from . import course_page, full_names, name_page, owner_only, passwords, progress_page, review
from .client_address import client_address
from .throttle import THROTTLE, wait_message

# Messages shown on the sign-in and sign-up pages, in English: the page shows
# them in its language (the `msg` filter and hub_config/locale, where their
# Bahasa Indonesia is).
MSG_BAD_USERNAME = (
    "This user name cannot be used. The rule: 2–32 characters: lower-case letters a–z, "
    "digits, dot (.), underscore (_) or hyphen (-), starting with a letter."
)
MSG_TAKEN = "This user name is already taken. Please choose another one."
MSG_MISMATCH = "The password and the repeated password are not the same. Please type them again."
MSG_SIGNUP_DONE = (
    "Sign-up done. Your account is waiting for the admin's approval; once it is "
    "approved, sign in with this user name and password."
)
MSG_WRONG_LOGIN = "Wrong user name or password. Check them and try again."
MSG_NOT_APPROVED = (
    "The account {name} has not been approved by the admin yet. Contact your trainer or "
    "the Balai Kode admin, then sign in again once it is approved."
)
MSG_MISSING_FIELDS = "Fill in your user name and password."
MSG_FORM_EXPIRED = "The sign-in form has expired. Fill it in and press Sign in once more."
MSG_WEAK_PASSWORD = (
    "The password is too weak: use at least {minimum} characters, and not a common "
    "password (such as 12345678 or password)."
)


def weak_password_message(minimum: int) -> str:
    return MSG_WEAK_PASSWORD.format(minimum=minimum)


class BalaiKodeAuthenticator(NativeAuthenticator):
    admin_password = Unicode(
        "",
        config=True,
        help="First password of admin accounts; empty means generate one.",
    )
    admin_password_file = Unicode(
        "",
        config=True,
        help="Where a generated admin password is written (mode 0600).",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        full_names.ensure_table(self.db.bind)
        self.ensure_admin_accounts()

    # -- admin accounts ---------------------------------------------------

    def ensure_admin_accounts(self) -> None:
        missing = [name for name in sorted(self.admin_users) if not self.get_user(name)]
        if not missing:
            return
        password = self.admin_password or self._generated_admin_password()
        for name in missing:
            hashed = passwords.hash_now(password)
            self.db.add(UserInfo(username=name, password=hashed, is_authorized=True))
            self.log.info("Created admin account %s", name)
        self.db.commit()

    def _generated_admin_password(self) -> str:
        path = Path(self.admin_password_file)
        if path.exists():
            return path.read_text().strip()
        password = secrets.token_urlsafe(12)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(password + "\n")
        self.log.warning(
            "Generated the first admin password; show it with "
            "'./balaikode admin-password' (file %s in the hub data volume)", path)
        return password

    # -- login ----------------------------------------------------------------

    def is_approved(self, info: UserInfo) -> bool:
        return bool(info.is_authorized) or info.username in self.admin_users

    async def authenticate(self, handler, data):
        username = self.normalize_username(data.get("username") or "")
        password = data.get("password") or ""
        info = self.get_user(username)
        if not password:
            return None
        # An unknown name costs a (decoy) check too: no probing names by timing.
        correct = await passwords.password_matches(password, info.password if info else None)
        if handler is not None:
            handler.balaikode_password_correct = correct
        checks = [info is not None, correct, info is not None and self.is_approved(info)]
        if info is not None and info.has_2fa:
            checks.append(info.is_valid_token(data.get("2fa")))
        address = client_address(handler.request) if handler is not None else "?"
        if all(checks):
            THROTTLE.good_login(address, username)
            return username
        if not correct:
            THROTTLE.failed_login(address, username)
        return None

    async def create_account(self, username: str, password: str, full_name: str):
        """NativeAuthenticator's create_user with the hashing in the pool
        (checks are done by signup_problem before); the sign-up and its full
        name are stored together."""
        hashed = await passwords.hash_password(password)
        if self.user_exists(username):
            return None
        info = UserInfo(username=username, password=hashed, is_authorized=bool(self.open_signup))
        self.db.add(info)
        full_names.put(self.db, username, full_name, commit=False)
        self.db.commit()
        return info

    def delete_user(self, user):
        # Discarding a sign-up and deleting a user (admin page, API) both come here.
        full_names.forget(self.db, user.name)
        return super().delete_user(user)

    async def set_password(self, username: str, password: str) -> bool:
        info = self.get_user(username)
        if info is None or not self.is_password_strong(password):
            return False
        info.password = await passwords.hash_password(password)
        self.db.commit()
        return True

    def change_password(self, username, new_password):
        # Not used by Balai Kode's handlers (set_password is); kept correct
        # for long passwords in case an upstream path calls it.
        info = self.get_user(username)
        if info is None or not self.is_password_strong(new_password):
            return None
        info.password = passwords.hash_now(new_password)
        self.db.commit()
        return True

    def signup_problem(self, username: str, password: str, confirmation: str,
                       full_name: str) -> str | None:
        """Why a sign-up cannot go ahead (a MSG_ text); None if it can."""
        if not self.validate_username(username):
            return MSG_BAD_USERNAME
        if self.user_exists(username):
            return MSG_TAKEN
        if name_problem := full_names.problem(full_name):
            return name_problem
        if password != confirmation:
            return MSG_MISMATCH
        if not self.is_password_strong(password):
            return weak_password_message(self.minimum_password_length)
        return None

    def get_handlers(self, app):
        replaced = {
            r"/login": LoginHandler,
            r"/signup": SignUpHandler,
            r"/authorize": AuthorizationAreaHandler,
            r"/authorize/([^/]*)": ToggleAuthorizationHandler,
            r"/discard/([^/]*)": DiscardHandler,
            r"/change-password": ChangePasswordHandler,
            r"/change-password/([^/]+)": ChangePasswordAdminHandler,
        }
        native_handlers = [(path, replaced.get(path, handler))
                           for path, handler in super().get_handlers(app)]
        # Balai Kode's own API endpoints ride along here: the authenticator's
        # handlers are the supported way to add hub handlers (extra_handlers
        # is deprecated).
        # owner_only first: it must win over JupyterHub's handler of the same
        # path, and the authenticator's handlers come before the defaults.
        return (owner_only.HANDLERS + review.HANDLERS + name_page.HANDLERS + course_page.HANDLERS
                + progress_page.HANDLERS + native_handlers
                + SIGNUP_API_HANDLERS + COURSE_API_HANDLERS)


class LoginHandler(native.LoginHandler):
    def _render(self, login_error=None, username=None, sync=False, **_error_page_fields):
        """The login page. JupyterHub's write_error also renders it (an expired
        login form, a bad XSRF token), synchronously and with the error page's
        fields, which NativeAuthenticator's _render does not take: the answer
        was an empty page. Here that case gets the login page with the message."""
        if not sync:
            return super()._render(login_error=login_error, username=username)
        self.render_template = lambda name, **ns: BaseHandler.render_template(self, name, sync=True, **ns)
        try:
            # 403 here is the XSRF check; other errors keep their own message.
            message = MSG_FORM_EXPIRED if self.get_status() == 403 else login_error
            return super()._render(login_error=message, username=username)
        finally:
            del self.render_template

    async def post(self):
        # Replaces NativeAuthenticator's post() whole: that one also times the
        # login with JupyterHub's `statsd`, which JupyterHub 6 removed (every
        # login crashed). tests/unit/test_hub_login.py signs in through the form.
        data = {arg: self.get_argument(arg, "", strip=False) for arg in self.request.arguments}
        username = self.authenticator.normalize_username(data.get("username", "").strip())
        data["username"] = username
        if not username or not data.get("password"):
            self.set_status(400)
            self.finish(await self._render(login_error=MSG_MISSING_FIELDS, username=username))
            return
        wait = THROTTLE.login_wait(client_address(self.request), username)
        if wait:
            self.set_status(429)
            self.set_header("Retry-After", str(int(wait) + 1))
            self.finish(await self._render(login_error=wait_message(wait), username=username))
            return
        user = await self.login_user(data)
        if user:
            self._jupyterhub_user = user
            self.redirect(self.get_next_url(user))
            return
        error = MSG_WRONG_LOGIN
        info = self.authenticator.get_user(username)
        # Only someone who knows the password learns that the account waits
        # for approval.
        correct = getattr(self, "balaikode_password_correct", False)
        if info and correct and not self.authenticator.is_approved(info):
            error = MSG_NOT_APPROVED.format(name=username)
        self.set_status(403)
        self.finish(await self._render(login_error=error, username=username))


class SignUpHandler(native.SignUpHandler):
    async def post(self):
        if not self.authenticator.enable_signup:
            raise web.HTTPError(404)
        auth = self.authenticator
        username = auth.normalize_username(self.get_body_argument("username", "").strip())
        full_name = self.get_body_argument("full_name", "", strip=False)
        password = self.get_body_argument("signup_password", "", strip=False)
        confirmation = self.get_body_argument("signup_password_confirmation", "", strip=False)
        address = client_address(self.request)
        wait = THROTTLE.signup_wait(address)
        problem = wait_message(wait) if wait else auth.signup_problem(
            username, password, confirmation, full_name)
        created = None
        if problem is None:
            created = await auth.create_account(username, password, full_name)
            if created is None:  # e.g. a parallel sign-up took the name first
                problem = MSG_TAKEN
            else:
                THROTTLE.signed_up(address, username)
        if problem:
            self.set_status(429 if wait else 400)
        html = await self.render_template(
            "signup.html",
            ask_email=auth.ask_email_on_signup,
            result_message=problem or MSG_SIGNUP_DONE,
            alert="alert-danger" if problem else "alert-info",
            # On a problem the names stay filled in (never the passwords).
            username=username if problem else "",
            full_name=full_name.strip() if problem else "",
            two_factor_auth=auth.allow_2fa,
            two_factor_auth_user=False,
            two_factor_auth_value="",
            recaptcha_key=auth.recaptcha_key,
            tos=auth.tos,
        )
        self.finish(html)


MSG_POST_ONLY = ("Approval can only be changed with the buttons on the Approvals page "
                 "(/hub/authorize), not through a link.")


class ToggleAuthorizationHandler(native.ToggleAuthorizationHandler):
    """Approve or withdraw approval: a POST with the XSRF token only. As a GET
    (NativeAuthenticator's way), an <img> on any page an admin views would
    approve sign-ups."""

    @native.admin_users_scope
    async def get(self, slug):
        raise web.HTTPError(405, MSG_POST_ONLY)

    @native.admin_users_scope
    async def post(self, slug):
        info = UserInfo.find(self.db, slug)
        if info is None:
            raise web.HTTPError(404, f"There is no sign-up named {slug}.")
        if slug in self.authenticator.admin_users:
            raise web.HTTPError(400, "Admin accounts are always approved and cannot be switched off.")
        UserInfo.change_authorization(self.db, slug)
        THROTTLE.settled(slug)
        self.redirect(url_path_join(self.hub.base_url, "authorize") + "#" + slug)


class AuthorizationAreaHandler(native.AuthorizationAreaHandler):
    """The approval list, with each sign-up's full name next to its user name."""

    @native.admin_users_scope
    async def get(self):
        users = self.db.query(UserInfo).all()
        self.finish(await self.render_template(
            "authorization-area.html",
            ask_email=self.authenticator.ask_email_on_signup,
            users=users,
            full_names=full_names.of(self.db, [user.username for user in users]),
        ))


class ChangePasswordHandler(native.ChangePasswordHandler):
    """A user changes their own password; the old one is checked (throttled,
    like a login) and the new one hashed in the pool, not on the event loop."""

    @web.authenticated
    async def post(self):
        user = self.current_user
        old = self.get_body_argument("old_password", "", strip=False)
        new = self.get_body_argument("new_password", "", strip=False)
        confirmation = self.get_body_argument("new_password_confirmation", "", strip=False)
        address = client_address(self.request)
        info = self.authenticator.get_user(user.name)
        alert = "alert-danger"
        if wait := THROTTLE.login_wait(address, user.name):
            self.set_status(429)
            message = wait_message(wait)
        elif not await passwords.password_matches(old, info.password if info else None):
            THROTTLE.failed_login(address, user.name)
            message = "Your current password was incorrect. Please try again."
        elif new != confirmation:
            message = "Your new password didn't match the confirmation. Please try again."
        elif await self.authenticator.set_password(user.name, new):
            alert, message = "alert-success", "Your password has been changed successfully!"
        else:
            message = weak_password_message(self.authenticator.minimum_password_length)
        self.finish(await self.render_template(
            "change-password.html", user_name=user.name, result_message=message, alert=alert))


class ChangePasswordAdminHandler(native.ChangePasswordAdminHandler):
    @native.admin_users_scope
    async def post(self, user_name):
        new = self.get_body_argument("new_password", "", strip=False)
        confirmation = self.get_body_argument("new_password_confirmation", "", strip=False)
        alert = "alert-danger"
        if new != confirmation:
            message = "The new password didn't match the confirmation. Please try again."
        elif await self.authenticator.set_password(user_name, new):
            alert, message = "alert-success", f"The password for {user_name} has been changed successfully"
        else:
            message = weak_password_message(self.authenticator.minimum_password_length)
        self.finish(await self.render_template(
            "change-password-admin.html", user_name=user_name, result_message=message, alert=alert))


class DiscardHandler(native.DiscardHandler):
    """Deleting a sign-up: POST with the XSRF token only, like approval."""

    @native.admin_users_scope
    async def get(self, user_name):
        raise web.HTTPError(405, MSG_POST_ONLY)

    async def post(self, user_name):
        await native.DiscardHandler.get(self, user_name)
        THROTTLE.settled(user_name)

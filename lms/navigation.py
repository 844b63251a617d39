"""The service navigation: what the signed-in person's roles allow, nothing more."""
from dataclasses import dataclass

from flask import Flask, request, url_for
from flask_login import current_user

from lms.accounts.models import Role


@dataclass(frozen=True)
class NavItem:
    text: str
    href: str
    active: bool = False  # this page or one below it
    current: bool = False  # exactly this page


def nav_items() -> list[NavItem]:
    if not current_user or not current_user.is_authenticated:  # no user outside a request (emails)
        return []
    # (text, link, the paths it stands for)
    links = [("Home", url_for("pages.home"), None), ("My training", url_for("compliance.my_training"), None),
             ("Courses", url_for("learning.catalogue"), "/courses/"), ("Sessions", url_for("events.index"), "/sessions/"),
             ("Competencies", url_for("competencies.mine"), "/competencies/")]
    if current_user.has_role(Role.MANAGER):
        links.append(("Team training", url_for("compliance.team_training"), None))
    if current_user.has_role(Role.ADMIN, Role.COORDINATOR):
        links.append(("People", url_for("people.index"), "/people/"))
    elif current_user.has_role(Role.MANAGER):
        links.append(("My team", url_for("people.index"), "/people/"))
    if current_user.has_role(Role.COMMISSIONER, Role.COORDINATOR, Role.ADMIN):
        links.append(("Reports", url_for("reports.index"), "/reports/"))
    if current_user.has_role(Role.ADMIN):
        links.append(("Admin", url_for("admin.organisations"), "/admin/"))
    links.append(("Your account", url_for("accounts.account"), "/account"))
    path = request.path
    return [NavItem(text, href, path == href or bool(section and path.startswith(section)), path == href)
            for text, href, section in links]


def init_app(app: Flask) -> None:
    app.context_processor(lambda: {"nav_items": nav_items()})

"""The service navigation: what the signed-in person's roles allow, nothing more."""
from dataclasses import dataclass

from flask import Flask, url_for
from flask_login import current_user

from lms.accounts.models import Role


@dataclass(frozen=True)
class NavItem:
    text: str
    href: str


def nav_items() -> list[NavItem]:
    if not current_user or not current_user.is_authenticated:  # no user outside a request (emails)
        return []
    items = [NavItem("My training", url_for("compliance.my_training")), NavItem("Courses", url_for("learning.catalogue")),
             NavItem("Sessions", url_for("events.index")), NavItem("Competencies", url_for("competencies.mine"))]
    if current_user.has_role(Role.MANAGER):
        items.append(NavItem("My team", url_for("compliance.my_team")))
    if current_user.has_role(Role.ADMIN, Role.COORDINATOR):
        items.append(NavItem("People", url_for("people.index")))
    if current_user.has_role(Role.COMMISSIONER, Role.COORDINATOR, Role.ADMIN):
        items.append(NavItem("Reports", url_for("reports.index")))
    if current_user.has_role(Role.ADMIN):
        items.append(NavItem("Admin", url_for("admin.organisations")))
    return items


def init_app(app: Flask) -> None:
    app.context_processor(lambda: {"nav_items": nav_items()})

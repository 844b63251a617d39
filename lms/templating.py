"""Macros every template may call, loaded once when the app starts.

A `{% from ... import %}` runs on every render (Jinja checks the importing context each time), and the
layout used to import eleven macro files per page. Loading them here once makes them plain globals.
"""
from pathlib import Path

from flask import Flask

# Our own macro files. A file sees the globals that exist when it loads, so those it calls come first.
OUR_MACROS = ["macros/lists.html", "macros/person.html", "macros/training.html", "macros/attempts.html"]


def _govuk_macro_name(component: str) -> str:
    return "govuk" + "".join(part.capitalize() for part in component.split("-"))


def init_app(app: Flask) -> None:
    env = app.jinja_env
    import govuk_frontend_jinja

    components = Path(govuk_frontend_jinja.__file__).parent / "templates" / "components"
    for folder in sorted(components.iterdir()):
        module = env.get_template(f"govuk_frontend_jinja/components/{folder.name}/macro.html").module
        env.globals[_govuk_macro_name(folder.name)] = getattr(module, _govuk_macro_name(folder.name))
    for name in OUR_MACROS:
        module = env.get_template(name).module
        env.globals.update({key: value for key, value in vars(module).items() if not key.startswith("_")})

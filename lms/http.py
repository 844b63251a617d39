"""What every response gets: security headers, a CSP nonce, a log line, friendly error pages."""
import logging
import secrets
import time

from flask import Flask, g, render_template, request
from flask_wtf.csrf import CSRFError

log = logging.getLogger("lms.request")


def init_app(app: Flask) -> None:
    @app.before_request
    def start_request():
        g.started = time.perf_counter()
        g.csp_nonce = secrets.token_urlsafe(16)

    @app.after_request
    def finish_response(response):
        nonce = g.get("csp_nonce", "")
        response.headers.setdefault("Content-Security-Policy", app.config["CONTENT_SECURITY_POLICY"].format(nonce=nonce))
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint != "static":
            # Pages hold personal data: never keep them in shared caches.
            response.headers.setdefault("Cache-Control", "no-store")
        started = g.get("started")
        log.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
            },
        )
        return response

    @app.context_processor
    def template_globals():
        return {"csp_nonce": g.get("csp_nonce", ""), "service_name": app.config["SERVICE_NAME"]}

    def page(template: str, status: int):
        return lambda error: (render_template(template, error=error), status)

    app.register_error_handler(403, page("errors/403.html", 403))
    app.register_error_handler(404, page("errors/404.html", 404))
    app.register_error_handler(413, page("errors/413.html", 413))
    app.register_error_handler(500, page("errors/500.html", 500))
    app.register_error_handler(CSRFError, page("errors/csrf.html", 400))

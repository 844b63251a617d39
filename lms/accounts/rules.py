"""Pure rules about accounts: who may see whom, what a password must be."""
MIN_PASSWORD_LENGTH = 10


def password_problem(password: str, email: str = "") -> str | None:
    """GOV.UK-style error text for an unacceptable password, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Password must be {MIN_PASSWORD_LENGTH} characters or more"
    if email and password.lower() == email.lower():
        return "Password must not be your email address"
    return None


def normalise_email(email: str) -> str:
    return email.strip().lower()

"""Pure rules about accounts: who may see whom, what a password must be."""
from email_validator import EmailNotValidError, validate_email

MIN_PASSWORD_LENGTH = 10


def password_problem(password: str, email: str = "") -> str | None:
    """GOV.UK-style error text for an unacceptable password, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Password must be {MIN_PASSWORD_LENGTH} characters or more"
    if email and password.lower() == email.lower():
        return "Password must not be your email address"
    return None


def email_problem(email: str) -> str | None:
    """GOV.UK-style error text for an address we cannot use, or None. Reserved test domains are allowed."""
    try:
        validate_email(email, check_deliverability=False, test_environment=True)
    except EmailNotValidError:
        return "Enter an email address in the correct format, like name@example.com"
    return None


def normalise_email(email: str) -> str:
    return email.strip().lower()

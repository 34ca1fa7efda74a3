"""The disclosure tests reuse the feedback tests' SMTP server (aiosmtpd)."""
from tests.feedback.conftest import smtp_env, smtp_server  # noqa: F401

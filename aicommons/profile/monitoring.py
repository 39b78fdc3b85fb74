"""The profile's `monitoring:` section: Prometheus retention and storage, where alerts go."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from aicommons.profile.strict import Strict

Email = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+$")]
# The stack secret (`pulumi config set --secret`) that holds the SMTP password: never in a file.
SMTP_PASSWORD_SECRET = "smtpPassword"


class Smtp(Strict):
    """The mail relay Alertmanager sends alert e-mail through."""

    smarthost: str = Field(
        pattern=r"^[A-Za-z0-9.-]+:[0-9]{1,5}$",
        description="host:port of the relay, e.g. smtp.riverton.gov:587 (SES: email-smtp.<region>.amazonaws.com:587).",
    )
    from_address: Email = Field(description="Sender of alert e-mail, e.g. commons-alerts@riverton.gov.")
    username: str | None = Field(
        default=None,
        min_length=1,
        description="SMTP user; its password is the platform stack's secret "
        f"`{SMTP_PASSWORD_SECRET}` (`pulumi config set --secret {SMTP_PASSWORD_SECRET}`), never a file.",
    )
    password_env: str = Field(
        default="AICOMMONS_SMTP_PASSWORD",
        pattern=r"^[A-Z_][A-Z0-9_]*$",
        description="Environment variable `aicommons deploy` reads the SMTP password from (with a username).",
    )
    require_tls: bool = Field(default=True, description="STARTTLS required (Alertmanager smtp_require_tls).")


class Monitoring(Strict):
    """Prometheus, Alertmanager and Grafana on the core pool (kube-prometheus-stack)."""

    enabled: bool = Field(default=True, description="Install monitoring and alerting (recommended).")
    retention_days: int = Field(default=15, ge=1, le=400, description="How long Prometheus keeps samples.")
    storage_gib: int = Field(
        default=20,
        ge=5,
        le=10_000,
        description="Prometheus's persistent volume (priced with the plan's storage).",
    )
    alert_emails: list[Email] = Field(
        default_factory=list,
        description="Who alerts go to, besides budget.alert_emails and hub.contact_email.",
    )
    smtp: Smtp | None = Field(
        default=None,
        description="Mail relay for alert e-mail; without it alerts reach no one (control AIC-OPS-04 fails).",
    )

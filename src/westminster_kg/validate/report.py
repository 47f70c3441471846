"""What ``wmkg validate`` found: each finding (where, what, how serious) and the report holding them."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Finding:
    """One problem found: where (file, entity), what, and how serious."""

    level: str  # "violation" or "warning"
    check: str
    message: str
    entity: str = ""
    file: str = ""

    def __str__(self) -> str:
        where = ": ".join(x for x in (self.file, self.entity) if x)
        return f"{where}: {self.message} [{self.check}]" if where else f"{self.message} [{self.check}]"


@dataclass
class ValidationReport:
    """Everything ``validate`` found."""

    findings: list[Finding] = field(default_factory=list)
    quotes_checked: int = 0
    # SHACL findings that restate a check query's finding for the same entity (shown once, not twice).
    shadowed: list[Finding] = field(default_factory=list)

    @property
    def violations(self) -> list[Finding]:
        """Findings that fail validation."""
        return [f for f in self.findings if f.level == "violation"]

    @property
    def warnings(self) -> list[Finding]:
        """Findings shown but not failing."""
        return [f for f in self.findings if f.level == "warning"]

    @property
    def ok(self) -> bool:
        """True when there is no violation."""
        return not self.violations


__all__ = ["Finding", "ValidationReport"]

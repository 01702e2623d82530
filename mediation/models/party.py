"""Parties (当事人): one record per person or organisation across all their cases (一人一档)."""

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mediation.extensions import db
from mediation.models._base import UTCDateTime, utcnow

PARTY_KINDS = ("person", "organisation")
PARTY_ROLES = ("applicant", "respondent", "third_party")


class Party(db.Model):
    __tablename__ = "party"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="person")
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(32), default="")
    #: Sensitive personal information (PIPL): shown masked to anyone whose work does not need it.
    id_number: Mapped[str] = mapped_column(String(32), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    # The agreement must state the parties' basic information (DOMAIN §3).
    sex: Mapped[str] = mapped_column(String(8), default="")
    birth_year: Mapped[int | None] = mapped_column(Integer)
    ethnicity: Mapped[str] = mapped_column(String(32), default="")
    occupation: Mapped[str] = mapped_column(String(100), default="")
    created_at = mapped_column(UTCDateTime, default=utcnow)

    case_links = relationship("CaseParty", back_populates="party", lazy="raise_on_sql")

    __table_args__ = (
        CheckConstraint(f"kind IN {PARTY_KINDS!r}", name="kind_known"),
        Index("ix_party_name", "name"),
        Index("ix_party_phone", "phone"),
        Index("ix_party_id_number", "id_number"),
    )

    def __repr__(self):
        return f"<Party {self.id} {self.name}>"


class CaseParty(db.Model):
    """A party's place in one case."""

    __tablename__ = "case_party"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer, default=0)

    case = relationship("Case", back_populates="party_links")
    party = relationship("Party", back_populates="case_links", lazy="joined")

    __table_args__ = (
        CheckConstraint(f"role IN {PARTY_ROLES!r}", name="role_known"),
        Index("uq_case_party_case_id_party_id", "case_id", "party_id", unique=True),
    )

"""Parties (当事人): one record per person or organisation across all their cases (一人一档)."""

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mediation import taxonomy
from mediation.extensions import db
from mediation.models._base import UTCDateTime, in_codes, trigram_index, utcnow


class Party(db.Model):
    __tablename__ = "party"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="person")
    name: Mapped[str] = mapped_column(String(200))
    #: Normalised (``identifiers.normalise_phone``): digits only, no +86, so one phone is one file.
    phone: Mapped[str] = mapped_column(String(32), default="")
    #: A person's resident ID number (GB 11643), checked and upper-case. Sensitive personal information
    #: (PIPL): ``policy.personal_data`` decides who sees it in full.
    id_number: Mapped[str] = mapped_column(String(32), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    # The agreement must state the parties' basic information (DOMAIN §3).
    sex: Mapped[str] = mapped_column(String(8), default="")
    birth_date: Mapped[date | None] = mapped_column(Date)
    ethnicity: Mapped[str] = mapped_column(String(32), default="")
    occupation: Mapped[str] = mapped_column(String(100), default="")
    #: An organisation's legal representative (法定代表人) or person in charge.
    legal_representative: Mapped[str] = mapped_column(String(100), default="")
    #: An organisation's unified social credit code (统一社会信用代码, GB 32100), checked.
    credit_code: Mapped[str] = mapped_column(String(18), default="")
    created_at = mapped_column(UTCDateTime, default=utcnow)
    #: Optimistic lock: an edit made from a stale form is refused, never silently overwrites another.
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")

    case_links = relationship("CaseParty", back_populates="party", lazy="raise_on_sql")

    __table_args__ = (
        CheckConstraint(in_codes("kind", taxonomy.PARTY_KINDS), name="kind_known"),
        Index("ix_party_name", "name"),
        # Free text over party names across a province (``services.search``), on PostgreSQL.
        trigram_index("party", "name"),
        Index("ix_party_phone", "phone"),
        Index("ix_party_id_number", "id_number"),
        Index("ix_party_credit_code", "credit_code"),
    )
    __mapper_args__ = {"version_id_col": version}

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
        CheckConstraint(in_codes("role", taxonomy.PARTY_ROLES), name="role_known"),
        Index("uq_case_party_case_id_party_id", "case_id", "party_id", unique=True),
    )

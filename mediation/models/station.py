"""Stations (驿站) and the agencies that take and send referrals."""

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mediation import taxonomy
from mediation.extensions import db
from mediation.models._base import in_codes


class Station(db.Model):
    __tablename__ = "station"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Short and unique; the prefix of every case number, so never changed once cases exist.
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text, default="")
    district: Mapped[str] = mapped_column(String(100), default="", index=True)

    __table_args__ = (CheckConstraint("code <> ''", name="code_not_empty"),)

    def __repr__(self):
        return f"<Station {self.code}>"


#: The stations an agency serves: it takes their referrals and sends them disputes.
agency_station = Table(
    "agency_station",
    db.metadata,
    Column("agency_id", ForeignKey("agency.id", ondelete="CASCADE"), primary_key=True),
    Column("station_id", ForeignKey("station.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Agency(db.Model):
    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    address: Mapped[str] = mapped_column(Text, default="")

    #: The stations it serves (a police station's neighbourhood, a court's district).
    stations = relationship("Station", secondary=agency_station, order_by="Station.code")

    __table_args__ = (CheckConstraint(in_codes("kind", taxonomy.AGENCY_KINDS), name="kind_known"),)

    def __repr__(self):
        return f"<Agency {self.code} {self.kind}>"

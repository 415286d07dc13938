"""Unit fixtures: an in-memory store holding a few records of each list."""

from __future__ import annotations

import pytest

from tests.support.memory_store import MemoryStore

SLTD = {"list": "sltd", "id": "S1", "document_number": "L898902C3", "issuing_state": "UTO",
        "document_type": "P", "status": "stolen", "reported_at": "2024-01-02"}
NOTICE = {"list": "notice", "id": "N1", "colour": "red",
          "names": [{"surname": "ERIKSSON", "given_names": "ANNA MARIA", "script": "Latn"}],
          "date_of_birth": "1974-08-12", "nationalities": ["UTO"], "sex": "F",
          "documents": [{"number": "X1234567", "issuing_state": "UTO"}], "issued_at": "2020-01-01"}
NOTICE_BLUE = {"list": "notice", "id": "N2", "colour": "blue",
               "names": [{"surname": "OKAFOR", "given_names": "CHINEDU", "script": "Latn"}],
               "date_of_birth": "1980", "nationalities": ["NGA"], "documents": []}
SMV = {"list": "smv", "id": "V1", "vin": "1M8GDM9AXKP042788", "plate": "B-AB 1234",
       "plate_country": "D", "make": "VW", "model": "Golf", "colour": "blue"}
SMV_PLATE_ONLY = {"list": "smv", "id": "V2", "plate": "AB-123-CD", "plate_country": "F",
                  "make": "Renault", "model": "Clio", "colour": "red"}


@pytest.fixture
def memory_store() -> MemoryStore:
    return MemoryStore([SLTD, NOTICE, NOTICE_BLUE, SMV, SMV_PLATE_ONLY])


@pytest.fixture
def store_of() -> type[MemoryStore]:
    """MemoryStore itself, for a test's own records: store_of([record, ...])."""
    return MemoryStore

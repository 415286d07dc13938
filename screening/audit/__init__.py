"""The audit trail (contract v2, "Audit"): records, keyed digests and the auditor's query.

`digests` turns what a scan searched into keyed digests; `records` builds the records
with stable ids; `emit` writes the odd record from a command; `query` reads them back.
"""

from screening.audit.digests import Digester, audit_key, query_sets, require_key
from screening.audit.records import SearchAudit, audit_id, service_record

__all__ = ["Digester", "SearchAudit", "audit_id", "audit_key", "query_sets", "require_key",
           "service_record"]

"""The models of every privacy domain, where Django and the migrations look for them.

Each model lives in its domain package (people, documents, consent, ...); import it from
there. This module only gathers them under the one app label, `privacy`.
"""

from privacy.audit.models import Approval, AuditEntry
from privacy.blocks.models import Block
from privacy.consent.models import (
    ConsentLogHead,
    ConsentReceipt,
    ConsentRecord,
    ConsentWording,
    receipt_token,  # named by migrations 0003 and 0010 as a field default
)
from privacy.cookies.models import VisitorLink
from privacy.documents.models import DocumentText, DocumentVersion
from privacy.incidents.models import Disclosure, Incident
from privacy.outbox.models import Message, Suppression
from privacy.oversight.models import DataExport
from privacy.people.models import Person
from privacy.register.models import (
    ChangeNotice,
    CrossBorderNotice,
    Operator,
    ProcessingPurpose,
    Processor,
    RegisterChange,
    RegisterRevision,
)
from privacy.rights.models import DataCorrection, Destruction, RightsRequest

__all__ = [
    "Approval",
    "AuditEntry",
    "Block",
    "ChangeNotice",
    "ConsentLogHead",
    "ConsentReceipt",
    "ConsentRecord",
    "ConsentWording",
    "CrossBorderNotice",
    "DataCorrection",
    "DataExport",
    "Destruction",
    "Disclosure",
    "DocumentText",
    "DocumentVersion",
    "Incident",
    "Message",
    "Operator",
    "Person",
    "ProcessingPurpose",
    "Processor",
    "RegisterChange",
    "RegisterRevision",
    "RightsRequest",
    "Suppression",
    "VisitorLink",
    "receipt_token",
]

"""Threagile's words -> ours: the tables the Threagile importer maps with (docs/interop.md
shows them), and the fields each of its objects maps (the rest are listed as unmapped)."""

from __future__ import annotations

from threatmodel.interop.mapping import CONFIDENTIALITY as OUR_CONFIDENTIALITY
from threatmodel.model import ElementKind

KINDS: dict[str, ElementKind] = {
    "external-entity": "external_service",
    "process": "process",
    "datastore": "datastore",
}

# Threagile technology -> our element type, per kind
TECHNOLOGY_TYPES = {
    "datastore": {
        "database": "database",
        "identity-store-database": "identity_vault",
        "identity-store-ldap": "identity_vault",
        "ldap-server": "identity_vault",
        "data-lake": "data_lake",
        "big-data-platform": "data_lake",
        "file-server": "file_store",
        "local-file-system": "file_store",
        "block-storage": "file_store",
        "artifact-registry": "file_store",
        "sourcecode-repository": "file_store",
        "search-index": "database",
        "monitoring": "log",
    },
    "process": {
        "web-service-rest": "api",
        "web-service-soap": "api",
        "application-server": "api",
        "web-server": "api",
        "web-application": "api",
        "gateway": "api",
        "reverse-proxy": "api",
        "load-balancer": "api",
        "identity-provider": "authentication",
        "report-engine": "reporting",
        "batch-processing": "analytics",
        "stream-processing": "analytics",
        "big-data-platform": "analytics",
        "cms": "publication",
        "mail-server": "messaging",
        "message-queue": "messaging",
    },
    "external_service": {"identity-provider": "identity_provider"},
    "actor": {"devops-client": "operator_staff"},
}
# types a technology gives: a word that names one of these is no better than the technology
GENERIC_TYPES = frozenset(t for table in TECHNOLOGY_TYPES.values() for t in table.values())
# Threagile's technologies that carry `storing_end_user_data`
STORING_END_USER_DATA = frozenset(
    {
        "block-storage",
        "database",
        "erp",
        "file-server",
        "local-file-system",
        "mail-server",
        "message-queue",
        "stream-processing",
    }
)
HUMAN_CLIENTS = frozenset({"browser", "desktop", "mobile-app", "client-system", "devops-client"})
ENCRYPTED_AT_REST = {
    "none": False,
    "transparent": True,
    "data-with-symmetric-shared-key": True,
    "data-with-asymmetric-shared-key": True,
    "data-with-end-user-individual-key": True,
}
ENCRYPTED_PROTOCOLS = frozenset(
    {"https", "wss", "ssh", "ssh-tunnel", "ftps", "sftp", "scp", "ldaps"}
)
UNENCRYPTED_PROTOCOLS = frozenset(
    {
        "http",
        "ws",
        "ftp",
        "jdbc",
        "odbc",
        "sql-access-protocol",
        "nosql-access-protocol",
        "binary",
        "text",
        "smtp",
        "pop3",
        "imap",
        "ldap",
        "jms",
        "nfs",
        "smb",
        "iiop",
        "jrmp",
        "mqtt",
        "xmpp",
        "reverse-proxy-web-protocol",
        "nrpe",
    }
)
# authentication -> (authenticated, auth_strength or None)
AUTHENTICATION = {
    "none": (False, "none"),
    "credentials": (True, None),
    "session-id": (True, None),
    "token": (True, None),
    "client-certificate": (True, "mtls"),
    "two-factor": (True, "mfa"),
    "externalized": (True, None),
}
# authorization -> auth_strength, where authentication leaves it open
AUTHORIZATION = {
    "none": None,
    "technical-user": "shared_password",
    "enduser-identity-propagation": "per_user",
    "end-user-identity-propagation": "per_user",
}
BOUNDARY_KINDS = {
    "network-on-prem": "network",
    "network-dedicated-hoster": "network",
    "network-virtual-lan": "network",
    "network-cloud-provider": "cloud_account",
    "network-cloud-security-group": "network",
    "network-policy-namespace-isolation": "network",
    "execution-environment": "physical",
}
CONFIDENTIALITY = {c.replace("_", "-"): c for c in OUR_CONFIDENTIALITY}
CRITICALITY = {
    "archive": "archive",
    "operational": "operational",
    "important": "important",
    "critical": "critical",
    "mission-critical": "mission_critical",
}
# quantity -> (the estimate: the band's lower end, the band in words)
QUANTITY = {
    "very-few": (10, "fewer than 100"),
    "few": (100, "100 to 9,999"),
    "many": (10_000, "10,000 to 999,999"),
    "very-many": (1_000_000, "a million or more"),
}
# tags that name a data category outright
TAG_CATEGORIES = {
    "pii": "identity",
    "personal": "identity",
    "phi": "health",
    "health": "health",
    "pci": "financial",
    "financial": "financial",
    "credentials": "credentials",
    "secret": "credentials",
    "secrets": "credentials",
    "location": "location",
    "biometric": "biometric",
    "biometrics": "biometric",
}

MODEL_MAPPED = (
    "title",
    "author",
    "business_overview",
    "data_assets",
    "technical_assets",
    "trust_boundaries",
    "includes",
)
DATA_MAPPED = (
    "id",
    "description",
    "usage",
    "tags",
    "origin",
    "quantity",
    "confidentiality",
    "integrity",
    "availability",
)
ASSET_MAPPED = (
    "id",
    "description",
    "type",
    "usage",
    "used_as_client_by_human",
    "out_of_scope",
    "justification_out_of_scope",
    "technology",
    "tags",
    "internet",
    "confidentiality",
    "integrity",
    "availability",
    "redundant",
    "data_assets_processed",
    "data_assets_stored",
    "communication_links",
)
LINK_MAPPED = (
    "target",
    "description",
    "protocol",
    "authentication",
    "authorization",
    "tags",
    "vpn",
    "ip_filtered",
    "readonly",
    "usage",
    "data_assets_sent",
    "data_assets_received",
)
BOUNDARY_MAPPED = (
    "id",
    "description",
    "type",
    "tags",
    "technical_assets_inside",
    "trust_boundaries_nested",
)

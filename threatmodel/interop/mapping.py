"""Words of other tools -> words of our vocabulary: the tables every importer shares.

Everything here is data plus small pure functions, so docs/interop.md can show it as tables.
Matching is by whole words in a normalised text (lower case; '-', '_', '/', '.' and camelCase
split into words). The first table row that matches wins, so more specific rows come first.
A guess is never silent: importers record a note saying what was inferred from what.
"""

from __future__ import annotations

import functools
import re
from typing import Any

# (words, category): a data asset whose id, name, description or tags contain one of the words
# gets the category. Several rows may match; all their categories are kept.
CATEGORY_WORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        (
            "password",
            "passwords",
            "credential",
            "credentials",
            "token",
            "tokens",
            "secret",
            "secrets",
            "api key",
            "private key",
            "session",
            "sessions",
            "cookie",
            "cookies",
        ),
        "credentials",
    ),
    (
        (
            "passport",
            "national id",
            "ssn",
            "social security",
            "tax id",
            "id card",
            "driving licence",
            "drivers license",
            "identity document",
        ),
        "government_id",
    ),
    (
        (
            "biometric",
            "biometrics",
            "fingerprint",
            "fingerprints",
            "face",
            "facial",
            "iris",
            "voiceprint",
        ),
        "biometric",
    ),
    (
        (
            "health",
            "medical",
            "diagnosis",
            "prescription",
            "clinical",
            "patient",
            "patients",
            "disability",
        ),
        "health",
    ),
    (("genetic", "dna", "genome"), "genetic"),
    (("political", "vote", "votes", "voting"), "political"),
    (("religion", "religious"), "religion"),
    (("ethnic", "ethnicity", "race", "racial", "nationality"), "ethnicity"),
    (("sexual", "orientation"), "sexual_orientation"),
    (
        ("criminal", "conviction", "convictions", "offence", "offences", "offense", "arrest"),
        "criminal_record",
    ),
    (("child", "children", "minor", "minors", "pupil", "pupils"), "minors"),
    (
        (
            "location",
            "locations",
            "gps",
            "geo",
            "geolocation",
            "whereabouts",
            "movement",
            "movements",
            "trip",
            "trips",
        ),
        "location",
    ),
    (("blacklist", "blocklist", "watchlist", "denylist"), "blacklist_entry"),
    (("score", "scores", "scoring", "rating", "ratings", "grade", "ranking"), "score"),
    (
        ("inferred", "inference", "prediction", "predictions", "propensity", "segment", "segments"),
        "inferred",
    ),
    (("credit", "loan", "loans", "repayment", "repayments", "debt", "debts"), "credit"),
    (
        (
            "bank",
            "iban",
            "income",
            "balance",
            "balances",
            "card",
            "cards",
            "cardholder",
            "financial",
        ),
        "financial",
    ),
    (
        ("transaction", "transactions", "payment", "payments", "transfer", "transfers"),
        "transaction",
    ),
    (("purchase", "purchases", "order", "orders", "basket", "cart", "shopping"), "purchase"),
    (("browsing", "clickstream", "search history", "tracking"), "browsing"),
    (
        (
            "friend",
            "friends",
            "social graph",
            "relationship",
            "relationships",
            "follower",
            "followers",
        ),
        "social_graph",
    ),
    (
        ("message", "messages", "chat", "chats", "call", "calls", "sms", "mail", "email content"),
        "communications",
    ),
    (("social media", "post", "posts", "tweet", "tweets"), "social_media"),
    (("court", "judgment", "judgement", "lawsuit"), "court_record"),
    (("education", "degree", "diploma", "school", "transcript"), "education"),
    (("property", "deed", "deeds", "vehicle", "vehicles", "real estate"), "property"),
    (
        (
            "employment",
            "employer",
            "salary",
            "salaries",
            "payroll",
            "job title",
            "job history",
            "job application",
            "job applications",
        ),
        "employment",
    ),
    (("device", "devices", "ip address", "imei", "mac address"), "device"),
    (("email", "e mail", "phone", "telephone", "contact", "contacts", "address book"), "contact"),
    (
        (
            "behaviour",
            "behavior",
            "behavioural",
            "behavioral",
            "usage",
            "activity",
            "telemetry",
            "habits",
        ),
        "behavioural",
    ),
    (
        (
            "name",
            "names",
            "date of birth",
            "dob",
            "address",
            "addresses",
            "identity",
            "pii",
            "personal data",
            "personal information",
            "profile",
            "profiles",
        ),
        "identity",
    ),
    (("statistic", "statistics", "aggregate", "aggregated"), "aggregate"),
    (
        (
            "config",
            "configuration",
            "settings",
            "source code",
            "sourcecode",
            "build",
            "artifact",
            "artifacts",
            "firmware",
        ),
        "configuration",
    ),
    (
        (
            "product",
            "products",
            "catalog",
            "catalogue",
            "price",
            "prices",
            "inventory",
            "supplier",
            "suppliers",
            "company",
            "companies",
            "business",
            "business data",
            "marketing material",
            "website content",
        ),
        "business",
    ),
)

# Categories that say nothing about people: a guess may give these even where the source
# says the data is public or not personal.
NOT_PERSONAL = ("aggregate", "business", "configuration")
# Categories that, found alone, still leave room for `identity` from a people-word.
THIN_PERSONAL = ("credentials", "device")

# Words that say a record is about people without saying what kind: the asset then gets
# `identity` and a note asks for the real categories.
PEOPLE_WORDS = (
    "customer",
    "customers",
    "user",
    "users",
    "member",
    "members",
    "citizen",
    "citizens",
    "person",
    "persons",
    "people",
    "client",
    "clients",
    "consumer",
    "consumers",
    "subscriber",
    "subscribers",
    "applicant",
    "applicants",
    "borrower",
    "borrowers",
    "employee",
    "employees",
    "end user",
    "shopper",
)

# (words, data source)
SOURCE_WORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("broker", "brokers", "data broker"), "broker"),
    (
        ("report", "reports", "furnisher", "lender", "lenders", "bureau", "third party"),
        "third_party_report",
    ),
    (("partner", "partners", "vendor", "vendors"), "partner"),
    (("social", "social media"), "social_media"),
    (("scraped", "scraping", "public web", "web", "internet", "public"), "public_web"),
    (("government", "authority", "authorities", "registry", "ministry"), "government"),
    (("sensor", "sensors", "iot", "camera", "cameras"), "sensor"),
    (("derived", "computed", "calculated", "generated", "model", "inferred"), "derived"),
    (("operator", "internal", "staff", "employee", "employees", "company", "business"), "operator"),
    (PEOPLE_WORDS + ("data subject", "end user", "self", "user input", "patient"), "data_subject"),
)

# Names of a staff-facing screen onto records (no format has a technology or flag for one;
# Threagile's devops-client is the human's client, an actor): a process so named is a
# `console`, and an OTM component so named is a process, not an actor ("admin").
CONSOLE_WORDS = (
    "console",
    "consoles",
    "admin panel",
    "admin portal",
    "admin ui",
    "admin dashboard",
    "admin interface",
    "admin app",
    "admin tool",
    "control panel",
    "back office",
    "backoffice",
)

# (words, element type) per element kind
TYPE_WORDS: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = {
    "actor": (
        (("attacker", "adversary", "hacker", "intruder"), "attacker"),
        (
            (
                "admin",
                "administrator",
                "operator",
                "staff",
                "employee",
                "analyst",
                "support",
                "clerk",
                "devops",
                "developer",
                "engineer",
                "backoffice",
                "back office",
                "administer",
                "administration",
            ),
            "operator_staff",
        ),
        (("police", "law enforcement"), "law_enforcement"),
        (("government", "ministry", "agency", "authority"), "government"),
        (("broker",), "data_broker"),
        (("lender", "bank"), "lender"),
        (("merchant", "shop", "retailer", "seller"), "merchant"),
        (("landlord",), "landlord"),
        (("employer", "recruiter"), "employer"),
        (("insurer", "insurance"), "insurer"),
        (("advertiser", "marketer"), "advertiser"),
        (("researcher", "researchers"), "researcher"),
        (("partner", "partners"), "partner"),
        (("agent", "agents"), "agent"),
        (PEOPLE_WORDS + ("patient", "browser", "mobile", "human"), "data_subject"),
    ),
    "process": (
        (CONSOLE_WORDS, "console"),
        (("scoring", "score", "scorer"), "scoring"),
        (("profiling", "profiler", "profile"), "profiling"),
        (("biometric", "face match", "face matching"), "biometric_matching"),
        (
            ("identity resolution", "deduplication", "dedup", "entity resolution"),
            "identity_resolution",
        ),
        (("matching", "matcher", "match"), "matching"),
        (("risk", "fraud"), "risk_classification"),
        (
            ("auth", "authentication", "login", "sso", "identity provider", "idp", "oauth"),
            "authentication",
        ),
        (("recommendation", "recommender", "recommend"), "recommendation"),
        (("report", "reporting", "report engine"), "reporting"),
        (
            ("analytics", "analysis", "bi", "dashboard", "batch", "stream processing", "big data"),
            "analytics",
        ),
        (("enforcement",), "enforcement"),
        (("scraper", "scraping", "crawler"), "scraping"),
        (("collection", "collector", "ingest", "ingestion", "etl", "import"), "collection"),
        (("dispute", "disputes", "complaint", "complaints"), "dispute_handling"),
        (("publication", "publish", "publisher", "cms"), "publication"),
        (("enrolment", "enrollment", "onboarding", "registration", "kyc"), "enrolment"),
        (("payment", "payments", "billing", "checkout"), "payment"),
        (
            ("messaging", "notification", "notifications", "mail", "sms", "message queue"),
            "messaging",
        ),
        (
            (
                "api",
                "gateway",
                "service",
                "rest",
                "graphql",
                "web",
                "server",
                "backend",
                "application",
                "app",
                "lambda",
                "function",
            ),
            "api",
        ),
    ),
    "datastore": (
        (("backup", "backups"), "backup"),
        (("replica", "replicas", "mirror"), "replica"),
        (("blacklist", "watchlist", "blocklist", "list"), "list"),
        (("profile", "profiles"), "profile_store"),
        (("lake", "data lake"), "data_lake"),
        (("warehouse", "bigquery", "redshift", "snowflake"), "warehouse"),
        (("log", "logs", "audit", "siem"), "log"),
        (("cache", "redis", "memcache", "memcached"), "cache"),
        (("vault", "identity store", "ldap", "directory", "keystore"), "identity_vault"),
        (
            ("file", "files", "bucket", "s3", "blob", "storage", "nfs", "share", "filesystem"),
            "file_store",
        ),
        (
            (
                "database",
                "db",
                "sql",
                "postgres",
                "postgresql",
                "mysql",
                "oracle",
                "mongo",
                "mongodb",
                "dynamo",
                "dynamodb",
                "rds",
                "nosql",
                "cassandra",
            ),
            "database",
        ),
    ),
    "external_service": (
        (("cloud", "aws", "azure", "gcp"), "cloud_provider"),
        (("payment", "payments", "stripe", "paypal", "psp", "acquirer"), "payment_provider"),
        (("identity provider", "idp", "oauth", "okta", "auth0", "login"), "identity_provider"),
        (("camera", "cameras", "cctv"), "camera"),
        (("sensor", "sensors", "iot"), "sensor"),
        (("social", "facebook", "twitter", "instagram"), "social_network"),
        (("advertiser", "ads", "advertising", "adtech"), "advertiser"),
        (("insurer", "insurance"), "insurer"),
        (("lender", "bank", "loan"), "lender"),
        (("landlord", "rental", "letting"), "landlord"),
        (("travel", "airline", "rail"), "travel"),
        (("police", "law enforcement"), "law_enforcement"),
        (("government", "ministry", "agency", "authority"), "government"),
        (("broker", "brokers"), "data_broker"),
        (("health", "clinic", "hospital", "doctor"), "health_provider"),
        (("dating",), "dating"),
        (("employer", "recruiter"), "employer"),
        (("partner", "partners", "vendor", "supplier"), "partner"),
    ),
}

# (words, element kind): for OTM component types, where no kind is given.
KIND_WORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (tuple(w for w in CONSOLE_WORDS if "back" not in w), "process"),  # a back-office client: actor
    (
        (
            "database",
            "db",
            "datastore",
            "data store",
            "storage",
            "bucket",
            "s3",
            "cache",
            "redis",
            "sql",
            "nosql",
            "lake",
            "warehouse",
            "file system",
            "filesystem",
            "vault",
            "ldap",
            "queue",
            "postgresql",
            "postgres",
            "mysql",
            "mariadb",
            "oracle",
            "mongodb",
            "mongo",
            "dynamodb",
            "rds",
            "aurora",
            "elasticsearch",
            "cassandra",
            "blob",
        ),
        "datastore",
    ),
    (
        (
            "client",
            "browser",
            "user",
            "users",
            "actor",
            "human",
            "mobile",
            "customer",
            "admin",
            "operator",
            "person",
        ),
        "actor",
    ),
    (
        (
            "external",
            "third party",
            "saas",
            "partner",
            "vendor",
            "provider",
            "stripe",
            "paypal",
            "twilio",
            "sendgrid",
            "salesforce",
        ),
        "external_service",
    ),
)

# (words, boundary kind): trust zones and boundaries of other tools.
BOUNDARY_WORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("jurisdiction", "country", "eu", "us", "uk", "cn", "region", "legal"), "jurisdiction"),
    (
        ("cloud", "aws", "azure", "gcp", "account", "subscription", "tenant", "project"),
        "cloud_account",
    ),
    (
        (
            "organisation",
            "organization",
            "company",
            "corporate",
            "partner",
            "vendor",
            "third party",
            "supplier",
            "bank",
            "agency",
            "government",
        ),
        "organisation",
    ),
    (
        (
            "physical",
            "building",
            "datacenter",
            "data center",
            "premises",
            "device",
            "host",
            "machine",
        ),
        "physical",
    ),
    (
        (
            "network",
            "internet",
            "dmz",
            "vpc",
            "vlan",
            "subnet",
            "lan",
            "private",
            "public",
            "intranet",
            "zone",
            "segment",
        ),
        "network",
    ),
)

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SPLIT = re.compile(r"[^a-z0-9]+")


def words(*texts: object) -> str:
    """One normalised text: ' word word ... ' (with spaces at both ends for whole-word search)."""
    parts = []
    for text in texts:
        if text is None or isinstance(text, bool):
            continue
        if isinstance(text, (list, tuple)):
            parts.append(words(*text))
            continue
        text = str(text)
        parts.append(_normal(text) if len(text) <= 200 else _normalised(text))
    return " " + " ".join(" ".join(parts).split()) + " "


def _normalised(text: str) -> str:
    """`text` in lower case, words split at case changes, anything else a space."""
    return _SPLIT.sub(" ", _CAMEL.sub(" ", text).lower())


_normal = functools.lru_cache(maxsize=8192)(_normalised)  # short texts: names, ids, types


def _has(text: str, phrases: tuple[str, ...]) -> str | None:
    """The first of `phrases` that `text` (from `words`) holds as whole words."""
    for phrase, whole in _whole(phrases):
        if whole in text:
            return phrase
    return None


@functools.cache
def _whole(phrases: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """Each phrase with the spaces that make it match whole words (the tables are constants:
    made once, not once per text searched)."""
    return tuple((phrase, f" {phrase} ") for phrase in phrases)


def first_match(table, *texts: object) -> tuple[str | None, str | None]:
    """(value, the word that matched) of the first table row matching the texts."""
    hits = _hits(words(*texts), table)
    if not hits:
        return None, None
    row = min(hits)
    return table[row][1], hits[row]


def _hits(text: str, table) -> dict[int, str]:
    """By row of `table` ((phrases, value) rows), the first of the row's phrases that `text`
    (from `words`) holds as whole words, where one does: what `_has` gives for each row,
    found from the text's words (a dozen) instead of the table's phrases (hundreds)."""
    index = _INDEXES.get(id(table))
    if index is None or index[0] is not table:
        index = _INDEXES[id(table)] = (table, _index(table))
    found: dict[int, tuple[int, str]] = {}
    phrases = index[1]
    for word in set(text.split()):
        for row, place, phrase, whole in phrases.get(word, ()):
            if whole in text and (row not in found or place < found[row][0]):
                found[row] = (place, phrase)
    return {row: found[row][1] for row in sorted(found)}


def _index(table) -> dict[str, tuple[tuple[int, int, str, str], ...]]:
    """Every phrase of `table` by its first word: (row, place in the row, phrase, the phrase
    with the spaces that make it match whole words)."""
    index: dict[str, list[tuple[int, int, str, str]]] = {}
    for row, (phrases, _) in enumerate(table):
        for place, (phrase, whole) in enumerate(_whole(phrases)):
            first = phrase.split()[0] if phrase.split() else phrase
            index.setdefault(first, []).append((row, place, phrase, whole))
    return {word: tuple(entries) for word, entries in index.items()}


_INDEXES: dict[int, tuple[Any, dict]] = {}  # by id of a table (the tables are constants)


# phrases whose words would match the wrong row: read as the word after the arrow
REWRITES = (
    (" credit cards ", " cards "),
    (" credit card ", " card "),
    (" id cards ", " identity document "),
    (" id card ", " identity document "),
)


def categories_for(*texts: object) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(categories, the words that matched) for a data asset's texts; people-words add
    `identity` when nothing, or only credentials or device ids, matched."""
    text = words(*texts)
    for phrase, replacement in REWRITES:
        text = text.replace(phrase, replacement)
    found: dict[str, None] = {}
    hits: list[str] = []
    for row, hit in _hits(text, CATEGORY_WORDS).items():
        category = CATEGORY_WORDS[row][1]
        if category not in found:
            found[category] = None
            hits.append(hit)
    if all(c in THIN_PERSONAL for c in found):
        person = _has(text, PEOPLE_WORDS)
        if person:
            found["identity"] = None
            hits.append(person)
    return tuple(found), tuple(hits)


def type_for(kind: str, *texts: object) -> tuple[str | None, str | None]:
    """(element type, matching word) for an element of `kind`, or (None, None)."""
    return first_match(TYPE_WORDS.get(kind, ()), *texts)


def boundary_kind_for(*texts: object) -> tuple[str, str | None]:
    """(boundary kind, matching word); `network` with None when nothing matched."""
    kind, hit = first_match(BOUNDARY_WORDS, *texts)
    return (kind or "network"), hit


def source_for(*texts: object) -> tuple[str | None, str | None]:
    return first_match(SOURCE_WORDS, *texts)


CONFIDENTIALITY = ("public", "internal", "restricted", "confidential", "strictly_confidential")

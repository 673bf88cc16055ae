"""What our OTM export and import agree on: the attribute keys that carry our own fields.

OTM's fixed fields hold what OTM knows (ids, names, trust-zone parents, dataflow ends and
assets); everything of ours that OTM has no field for travels in each object's free-form
`attributes` under a `threatmodel:` key, so a model survives model -> OTM -> model intact, and
other tools simply show the extra attributes.
"""

from __future__ import annotations

OTM_VERSION = "0.2.0"
PREFIX = "threatmodel:"
KIND = PREFIX + "kind"
TYPE = PREFIX + "type"
MEMBERS = PREFIX + "members"
SYNTHETIC = PREFIX + "synthetic"
CATEGORIES = PREFIX + "categories"
SUBJECTS = PREFIX + "subjects"
SOURCE = PREFIX + "source"
CONTROLS = PREFIX + "controls"
VOCABULARY = PREFIX + "vocabulary"
FINDINGS = PREFIX + "findings"

OUTSIDE_ZONE = "threatmodel-outside-boundaries"
DEFAULT_TRUST_RATING = 50
OUTSIDE_TRUST_RATING = 10

# our element kind -> OTM component `type` (IriusRisk's generic component names)
COMPONENT_TYPES = {"actor": "generic-client", "process": "empty-component",
                   "datastore": "other-database", "external_service": "empty-component"}

STRIDE = {"S": "Spoofing", "T": "Tampering", "R": "Repudiation", "I": "Information disclosure",
          "D": "Denial of service", "E": "Elevation of privilege"}

# a finding's review decision -> OTM threat-instance state
THREAT_STATES = {None: "exposed", "open": "exposed", "in-progress": "exposed",
                 "mitigated": "mitigated", "accepted": "accepted",
                 "false-positive": "not-applicable", "transferred": "transferred"}

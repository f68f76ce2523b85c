"""Partner profiles: schema, loading and linting, identity resolution, code and ID mappings.

Pure code: nothing here opens a socket or holds global state. The gateway loads a
:class:`PartnerDirectory` with :func:`load_directory` and passes it to whatever needs it.
"""

from partners.apikey import generate_api_key, hash_api_key, key_matches
from partners.directory import PartnerDirectory
from partners.lint import LintProblem, lint_directory
from partners.loader import ProfileError, demo_directory_path, load_directory
from partners.profile import (
    AckPolicy,
    CodeMaps,
    CompanyProfile,
    EdifactIdentity,
    PartnerProfile,
    X12Identity,
    XmlFieldMap,
    XmlIdentity,
)

__all__ = [
    "AckPolicy",
    "CodeMaps",
    "CompanyProfile",
    "EdifactIdentity",
    "LintProblem",
    "PartnerDirectory",
    "PartnerProfile",
    "ProfileError",
    "X12Identity",
    "XmlFieldMap",
    "XmlIdentity",
    "demo_directory_path",
    "generate_api_key",
    "hash_api_key",
    "key_matches",
    "lint_directory",
    "load_directory",
]

"""The roles a permission test walks through: a visitor who is not signed in, then each role of DESIGN.md."""

ROLES = ("anon", "admin", "manager", "staff", "holder")
SIGNED_IN_ROLES = ROLES[1:]  # the API has no visitor: every call carries a user's token

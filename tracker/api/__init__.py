"""The read API (issue 22): personal access tokens and JSON endpoints under /api/v1/."""

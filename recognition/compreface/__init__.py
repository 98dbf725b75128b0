"""A CompreFace-compatible REST API on top of recognition's services (issue 18).

Sites whose gates and cameras speak CompreFace's API (its SDKs, an ``x-api-key`` header, the
fixed ``/api/v1/recognition|verification|detection/...`` paths) can point them here. Every
write goes through the services the portal's own API uses, and what CompreFace would allow but
the regulations do not is refused with a CompreFace-shaped error naming the rule
(docs/compreface.md).
"""

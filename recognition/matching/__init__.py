"""Gallery search for face templates: exact, HNSW-indexed and sharded (issue 5, P1)."""

from recognition.matching.gallery import (
    EMBEDDING_DIM,
    MATCH_THRESHOLD,
    Candidate,
    Gallery,
    IndexConfig,
)
from recognition.matching.sharding import ShardedGallery, merge_candidates, shard_for

__all__ = [
    "EMBEDDING_DIM",
    "MATCH_THRESHOLD",
    "Candidate",
    "Gallery",
    "IndexConfig",
    "ShardedGallery",
    "merge_candidates",
    "shard_for",
]

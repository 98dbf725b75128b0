"""Merkle tree hashing, proofs and their verification (RFC 6962 / RFC 9162, section 2.1).

Pure functions over bytes, with no Django import: the offline verifier (``audit.offline``) runs
them on a regulator's machine without our code's database or settings.

A tree of size n covers leaves 0..n-1. A *complete node* ``(level, index)`` is the hash of the
2**level leaves starting at ``index * 2**level``; the sealer stores every complete node once, so
any proof is a handful of stored hashes (at most about log2(n)**2 of them), never a rescan.
"""

import hashlib
from collections.abc import Callable, Iterable

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()

NodeGetter = Callable[[int, int], bytes]


def leaf_hash(data: bytes) -> bytes:
    """Return SHA-256(0x00 || data): the hash of one leaf."""
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return SHA-256(0x01 || left || right): the hash of an interior node."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def _split(n: int) -> int:
    """Return the largest power of two smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


# --- Building: a compact range (the frontier) extended leaf by leaf -----------------------------


class Frontier:
    """The complete subtrees that make up leaves [0, size): one per set bit of ``size``.

    ``append`` returns every complete node the new leaf completes, for storage; ``root`` folds
    the frontier into the tree head without touching storage.
    """

    def __init__(self, size: int = 0, hashes: Iterable[bytes] = ()):
        self.size = size
        levels = [level for level in range(size.bit_length() - 1, -1, -1) if size >> level & 1]
        hashes = list(hashes)
        if len(hashes) != len(levels):
            raise ValueError(f"a frontier of size {size} has {len(levels)} hashes")
        # Highest level first, as the subtrees lie left to right.
        self.nodes: dict[int, bytes] = dict(zip(levels, hashes, strict=True))

    def hashes(self) -> list[bytes]:
        """Return the frontier's hashes, left (highest level) to right."""
        return [self.nodes[level] for level in sorted(self.nodes, reverse=True)]

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Add one leaf hash; return the complete nodes (level, index, hash) it creates."""
        index, level, current = self.size, 0, leaf
        created = [(0, index, leaf)]
        while index & 1:
            current = node_hash(self.nodes.pop(level), current)
            level += 1
            index >>= 1
            created.append((level, index, current))
        self.nodes[level] = current
        self.size += 1
        return created

    def root(self) -> bytes:
        """Return the tree head of the leaves appended so far."""
        root = None
        for level in sorted(self.nodes):
            root = self.nodes[level] if root is None else node_hash(self.nodes[level], root)
        return EMPTY_ROOT if root is None else root


def root_of(leaves: Iterable[bytes]) -> bytes:
    """Return the tree head over the given leaf hashes."""
    frontier = Frontier()
    for leaf in leaves:
        frontier.append(leaf)
    return frontier.root()


# --- Proofs, from stored complete nodes ---------------------------------------------------------


def subtree_hash(get: NodeGetter, start: int, end: int) -> bytes:
    """Return MTH(D[start:end]) where ``start`` is aligned as RFC 9162's recursion leaves it."""
    size = end - start
    if size & (size - 1) == 0 and start % size == 0:
        return get(size.bit_length() - 1, start // size)
    k = _split(size)
    return node_hash(subtree_hash(get, start, start + k), subtree_hash(get, start + k, end))


def inclusion_path(get: NodeGetter, index: int, size: int) -> list[bytes]:
    """Return the audit path of leaf ``index`` in the tree of ``size`` leaves (RFC 9162 2.1.3.1)."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            path.append(subtree_hash(get, start + k, end))
            end = start + k
        else:
            path.append(subtree_hash(get, start, start + k))
            start += k
    path.reverse()
    return path


def consistency_path(get: NodeGetter, old_size: int, new_size: int) -> list[bytes]:
    """Return the proof that the tree at ``old_size`` is a prefix of ``new_size`` (2.1.4.1)."""
    if not 0 < old_size <= new_size:
        raise ValueError(f"no consistency proof from {old_size} to {new_size}")
    path: list[bytes] = []
    start, end, m, whole = 0, new_size, old_size, True
    while m != end - start:
        k = _split(end - start)
        if m <= k:
            path.append(subtree_hash(get, start + k, end))
            end = start + k
        else:
            path.append(subtree_hash(get, start, start + k))
            start, m, whole = start + k, m - k, False
    if not whole:
        path.append(subtree_hash(get, start, end))
    path.reverse()
    return path


def needed_nodes(proof: Callable[[NodeGetter], object]) -> set[tuple[int, int]]:
    """Return the complete nodes ``proof(get)`` reads, so they can be fetched in one query."""
    wanted: set[tuple[int, int]] = set()

    def record(level: int, index: int) -> bytes:
        wanted.add((level, index))
        return EMPTY_ROOT

    proof(record)
    return wanted


# --- Verification (RFC 9162 2.1.3.2 and 2.1.4.2) -----------------------------------------------


def verify_inclusion(leaf: bytes, index: int, size: int, path: list[bytes], root: bytes) -> bool:
    """Return True when ``path`` proves leaf hash ``leaf`` is leaf ``index`` of ``root``."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, path: list[bytes]
) -> bool:
    """Return True when ``path`` proves the tree ``old_root`` is a prefix of ``new_root``."""
    if old_size > new_size or old_size < 0:
        return False
    if old_size == new_size:
        return not path and old_root == new_root
    if old_size == 0:
        return not path
    if not path:
        return False
    path = list(path)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0

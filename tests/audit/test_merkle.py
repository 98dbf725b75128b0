"""RFC 9162 hashing and proofs, checked against the definition for every small tree."""

import pytest

from audit import merkle


def _mth(leaves):
    """MTH straight from RFC 9162 section 2.1.1."""
    if not leaves:
        return merkle.EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return merkle.node_hash(_mth(leaves[:k]), _mth(leaves[k:]))


def _tree(n):
    leaves = [merkle.leaf_hash(f"entry {i}".encode()) for i in range(n)]
    frontier, nodes = merkle.Frontier(), {}
    for leaf in leaves:
        nodes.update({(lv, pos): h for lv, pos, h in frontier.append(leaf)})
    return leaves, frontier, lambda level, position: nodes[(level, position)]


def test_leaf_and_node_hashes_are_domain_separated():
    assert merkle.leaf_hash(b"") != merkle.node_hash(b"", b"")
    assert merkle.EMPTY_ROOT.hex().startswith("e3b0c442")


@pytest.mark.parametrize("n", range(1, 34))
def test_frontier_root_and_every_proof_agree_with_the_definition(n):
    leaves, frontier, get = _tree(n)
    root = _mth(leaves)
    assert frontier.root() == root
    assert merkle.Frontier(frontier.size, frontier.hashes()).root() == root
    for i in range(n):
        path = merkle.inclusion_path(get, i, n)
        assert merkle.verify_inclusion(leaves[i], i, n, path, root)
        assert not merkle.verify_inclusion(merkle.leaf_hash(b"forged"), i, n, path, root)
    for m in range(1, n + 1):
        proof = merkle.consistency_path(get, m, n)
        assert merkle.verify_consistency(m, n, _mth(leaves[:m]), root, proof)
        if m < n:
            forged = leaves[: m - 1] + [merkle.leaf_hash(b"forged")]
            assert not merkle.verify_consistency(m, n, _mth(forged), root, proof)


def test_proofs_read_few_stored_nodes_in_a_large_tree():
    size = 1_000_003
    wanted = merkle.needed_nodes(lambda get: merkle.consistency_path(get, 999_983, size))
    assert len(wanted) < 400
    wanted = merkle.needed_nodes(lambda get: merkle.inclusion_path(get, 12_345, size))
    assert len(wanted) < 400

"""The one chain walker: every entry links to the one before, from seq 1, with no gap."""
from monitor.domain.chain import GENESIS, entry_hash, verify_chain


def chain(n):
    """n well-formed (seq, prev_hash, hash, fields) tuples."""
    out, prev = [], GENESIS
    for seq in range(1, n + 1):
        fields = {"seq": seq, "action": f"a{seq}"}
        digest = entry_hash(prev, fields)
        out.append((seq, prev, digest, fields))
        prev = digest
    return out


def test_an_intact_chain_is_counted_whole():
    assert verify_chain(chain(5)) == (5, None)
    assert verify_chain([]) == (0, None)


def test_an_altered_entry_is_the_first_broken():
    entries = chain(5)
    seq, prev, digest, fields = entries[2]
    entries[2] = (seq, prev, digest, {**fields, "action": "nothing.to.see"})
    assert verify_chain(entries) == (2, 3)


def test_a_missing_entry_breaks_the_chain_at_its_seq():
    entries = chain(5)
    del entries[1]
    assert verify_chain(entries) == (1, 2)
    assert verify_chain(chain(3)[1:]) == (0, 1)  # the first entry gone


def test_a_rehashed_entry_still_breaks_at_the_next_link():
    entries = chain(4)
    seq, prev, _, fields = entries[1]
    forged = {**fields, "action": "forged"}
    entries[1] = (seq, prev, entry_hash(prev, forged), forged)
    assert verify_chain(entries) == (2, 3)
